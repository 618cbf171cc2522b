use Plack::Builder;
use Plack::App::WrapCGI;
builder {
    mount "/app" => Plack::App::WrapCGI->new(
        script => "/usr/local/libexec/app", execute => 1)->to_app;
};
