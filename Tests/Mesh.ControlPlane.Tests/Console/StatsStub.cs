using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Tests.Console;

/// <summary>
/// A proxy's admin listener as the console sees it: a real Kestrel server on 127.0.0.1 port 0
/// serving <c>GET /stats</c> in the proxy's JSON shape. The n-th reading (1, 2, ...) carries
/// the edges <see cref="StatsStub.Edges"/> gives for n, and the proxy clock advances 2 s per reading.
/// </summary>
public sealed class StatsStub : IAsyncDisposable
{
    public static readonly double[] Bounds = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000, 30000];

    private static readonly DateTimeOffset Started = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private int _readings;

    private StatsStub(WebApplication app, string workload, Func<int, IEnumerable<StubEdge>> edges)
    {
        _app = app;
        Workload = workload;
        Edges = edges;
    }

    public string Workload { get; }

    public Func<int, IEnumerable<StubEdge>> Edges { get; }

    public int Port => new Uri(_app.Urls.First()).Port;

    public int Readings => Volatile.Read(ref _readings);

    public static async Task<StatsStub> StartAsync(string workload, Func<int, IEnumerable<StubEdge>> edges)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var stub = new StatsStub(app, workload, edges);
        app.MapGet("/stats", (HttpContext context) => Results.Text(stub.Write(Interlocked.Increment(ref stub._readings)), "application/json"));
        await app.StartAsync();
        return stub;
    }

    /// <summary>The proxy's /stats document for its n-th reading (field names as Proxy/Telemetry/Stats/StatsEndpoint writes them).</summary>
    public string Write(int n) => Document(Workload, Edges, n);

    public static string Document(string workload, Func<int, IEnumerable<StubEdge>> edges, int n)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            {"node":{"id":"{{workload}}","workload":"{{workload}}","namespace":"default","app":"{{workload.Split('-')[0]}}","version":"v1","mode":"sidecar"},
             "started_at":"{{Started:O}}","now":"{{Started.AddSeconds(2 * n):O}}","edges_dropped":0,
             "latency_bounds_ms":[{{string.Join(",", Bounds.Select(b => b.ToString(CultureInfo.InvariantCulture)))}}],"edges":[
            """);
        var first = true;
        foreach (var edge in edges(n))
        {
            text.Append(first ? "" : ",");
            first = false;
            var counts = new long[Bounds.Length + 1];
            counts[Array.IndexOf(Bounds, edge.LatencyBoundMs)] = edge.Requests;
            text.Append(CultureInfo.InvariantCulture, $$"""
                {"reporter":"{{edge.Reporter}}",
                 "source":{"workload":"{{edge.Source}}","namespace":"default","app":"{{edge.Source.Split('-')[0]}}","version":"{{Version(edge.Source)}}"},
                 "destination":{"workload":"{{edge.Destination}}","namespace":"default","app":"{{edge.Destination.Split('-')[0]}}","version":"{{Version(edge.Destination)}}"},
                 "destination_service":"{{edge.Destination.Split('-')[0]}}.default.svc.cluster.local","protocol":"http","security_policy":"{{edge.Security}}",
                 "requests":{{edge.Requests}},"errors":{{edge.Errors}},
                 "responses":{"none":0,"1xx":0,"2xx":{{edge.Requests - edge.Errors}},"3xx":0,"4xx":0,"5xx":{{edge.Errors}}},
                 "duration_ms_sum":{{edge.Requests * edge.LatencyBoundMs}},"latency_counts":[{{string.Join(",", counts)}}],
                 "request_bytes":0,"response_bytes":{{edge.Requests * 100}}}
                """);
        }

        text.Append("]}");
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Version(string workload) => workload.Contains('-') ? workload[(workload.LastIndexOf('-') + 1)..] : "";
}

/// <summary>One edge of a stub reading: cumulative counts, every request in the bucket ending at <see cref="LatencyBoundMs"/>.</summary>
public sealed record StubEdge(string Reporter, string Source, string Destination, long Requests, long Errors, double LatencyBoundMs, string Security = "mutual_tls");
