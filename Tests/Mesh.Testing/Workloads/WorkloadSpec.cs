using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Testing.Workloads;

/// <summary>One workload of a <see cref="TestMesh"/>: its identity, its app and whom it calls. Istio's Bookinfo conventions by default.</summary>
public sealed record WorkloadSpec(string App, string Version = "v1")
{
    /// <summary>Workload name and node id; "&lt;app&gt;-&lt;version&gt;" by default.</summary>
    public string? Name { get; init; }

    /// <summary>The mesh's namespace by default.</summary>
    public string? Namespace { get; init; }

    /// <summary>"bookinfo-&lt;app&gt;" by default, as in Istio's Bookinfo.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>The service port of the app (inbound) and of the upstreams (outbound listeners).</summary>
    public int ServicePort { get; init; } = 9080;

    /// <summary>Services this workload calls through its sidecar.</summary>
    public IReadOnlyList<string> Upstreams { get; init; } = [];

    /// <summary>Protocol of the inbound and outbound listeners.</summary>
    public string Protocol { get; init; } = "HTTP";

    /// <summary>False: a workload that only calls others (no app, no inbound listener).</summary>
    public bool WithApp { get; init; } = true;

    /// <summary>An app that runs already (or a port nobody listens on); none is started then.</summary>
    public int? AppPort { get; init; }

    /// <summary>How the started app answers (default: 200 with its name).</summary>
    public Func<HttpContext, Task>? Handler { get; init; }

    public HttpProtocols AppProtocols { get; init; } = HttpProtocols.Http1AndHttp2;

    /// <summary>The credential the sidecar presents; a token for its own identity by default.</summary>
    public string? Token { get; init; }

    /// <summary>The workload certificate lifetime the sidecar asks for.</summary>
    public TimeSpan? CertificateLifetime { get; init; }

    /// <summary>The sidecar's clock (a <see cref="Clock.TestClock"/> for rotation and back-off tests).</summary>
    public TimeProvider? Clock { get; init; }

    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public string WorkloadName => Name ?? $"{App}-{Version}";

    public string ServiceAccountName => ServiceAccount ?? $"bookinfo-{App}";
}
