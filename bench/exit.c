/* The floor: a program that does nothing, to measure exec+exit alone. */
int
main(void)
{
	return 0;
}
