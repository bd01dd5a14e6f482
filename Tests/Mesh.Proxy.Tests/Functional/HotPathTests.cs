using System.Net;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>
/// Per-request work the proxy must not do (the benchmark found it in the profile): with logging on,
/// as in production, and tracing off, ASP.NET Core must not start an Activity per request — it
/// made HttpClient start a second one and inject a trace context nobody records.
/// </summary>
public sealed class HotPathTests
{
    private const string CallerTraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public async Task With_logging_on_and_tracing_off_no_trace_context_is_added_and_the_callers_passes_unchanged()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var app = await bed.BackendAsync("reviews-app");
        var proxy = await bed.ProxyAsync(
            ProxySettings.Sidecar(bed.ControlPlane.Address, workload: "reviews-v1").Inbound("reviews", "http", 9080, app.Port),
            services => services.AddSingleton<ILoggerProvider, EnabledLoggerProvider>());
        await bed.ApplyAsync(Snapshot("1", [], []));
        var inbound = proxy.Port(ListenerKind.Inbound);

        var plain = await bed.Client.GetAsync(TestHttp.Local(inbound, "/plain"));
        using var traced = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(inbound, "/traced"));
        traced.Headers.TryAddWithoutValidation("traceparent", CallerTraceParent);
        var tracedResponse = await bed.Client.SendAsync(traced);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, tracedResponse.StatusCode);
        var seen = app.Requests.ToArray();
        Assert.False(seen.Single(r => r.Path == "/plain").Headers.ContainsKey("traceparent"));
        Assert.Equal(CallerTraceParent, seen.Single(r => r.Path == "/traced").Headers["traceparent"]);
    }

    /// <summary>A logging provider like the console one: every logger enabled, the configured filters decide.</summary>
    private sealed class EnabledLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new EnabledLogger();

        public void Dispose()
        {
        }

        private sealed class EnabledLogger : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }
        }
    }
}
