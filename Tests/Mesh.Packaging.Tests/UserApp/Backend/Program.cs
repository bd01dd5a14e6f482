// A minimal service that says which version answered and who called it: the inbound sidecar
// replaces x-forwarded-client-cert with the mTLS peer it verified.
var app = WebApplication.CreateBuilder(args).Build();
var version = app.Configuration["BACKEND_VERSION"] ?? "unknown";

app.MapGet("/", (HttpRequest request) => $"backend {version}; caller {request.Headers["x-forwarded-client-cert"]}");

app.Run();
