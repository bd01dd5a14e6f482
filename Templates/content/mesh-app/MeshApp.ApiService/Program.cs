using Mesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

// Telemetry, health endpoints and x-request-id propagation; no client retries (the sidecar retries).
builder.AddMeshedServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();

string[] summaries = ["Freezing", "Bracing", "Chilly", "Cool", "Mild", "Warm", "Balmy", "Hot", "Sweltering", "Scorching"];

app.MapGet("/weatherforecast", () =>
    Enumerable.Range(1, 5)
        .Select(day => new WeatherForecast(
            DateOnly.FromDateTime(DateTime.UtcNow.AddDays(day)),
            Random.Shared.Next(-20, 55),
            summaries[Random.Shared.Next(summaries.Length)]))
        .ToArray());

app.Run();

internal sealed record WeatherForecast(DateOnly Date, int TemperatureC, string Summary)
{
    public int TemperatureF => 32 + (int)(TemperatureC / 0.5556);
}
