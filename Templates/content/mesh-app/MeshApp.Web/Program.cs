using Mesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

// Telemetry, health endpoints, service discovery and x-request-id propagation; no client
// retries (the sidecar retries, as configured in the AppHost's mesh-config/).
builder.AddMeshedServiceDefaults();

// "apiservice" is resolved by service discovery to this app's own sidecar (WithMeshReference in
// the AppHost); the sidecar carries the call to the API's sidecar over mTLS.
builder.Services.AddHttpClient("apiservice", client => client.BaseAddress = new Uri("http://apiservice"));

var app = builder.Build();
app.MapDefaultEndpoints();

app.MapGet("/", async (IHttpClientFactory clients, CancellationToken cancellationToken) =>
{
    var forecast = await clients.CreateClient("apiservice").GetStringAsync("/weatherforecast", cancellationToken);
    return Results.Content(forecast, "application/json");
});

app.Run();
