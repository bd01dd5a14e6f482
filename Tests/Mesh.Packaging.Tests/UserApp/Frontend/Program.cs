// A minimal service that calls "backend" at the address Aspire's service discovery gives it
// (services__backend__http__0): with WithMeshReference, that is its own sidecar's listener.
var app = WebApplication.CreateBuilder(args).Build();
var backend = new HttpClient
{
    BaseAddress = new Uri(app.Configuration["services:backend:http:0"] ?? throw new InvalidOperationException("no address for backend")),
};

app.MapGet("/", async () => "frontend -> " + await backend.GetStringAsync("/"));

app.Run();
