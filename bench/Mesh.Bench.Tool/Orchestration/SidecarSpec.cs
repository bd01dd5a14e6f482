namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// A Mesh sidecar as the benchmark wires it: a server side (inbound listener → local app) and/or
/// a client side (outbound listener bound to a service). Ports are fixed up front so the harness
/// knows where to send load.
/// </summary>
public sealed record SidecarSpec
{
    public required string Name { get; init; }

    public required string Workload { get; init; }

    public required string App { get; init; }

    /// <summary>Server side: the service this workload forms, its inbound port and the app port behind it.</summary>
    public string? Service { get; init; }

    public int InboundListenPort { get; init; }

    public int AppPort { get; init; }

    /// <summary>Client side: the upstream service bound to a local outbound listener.</summary>
    public string? OutboundService { get; init; }

    public int OutboundListenPort { get; init; }

    /// <summary>HTTP (HTTP/1.1), GRPC (h2c) or TCP on both the inbound/outbound listeners and to the app; also the port's name.</summary>
    public string Protocol { get; init; } = "HTTP";

    public required int AdminPort { get; init; }

    /// <summary>Which build of the sidecar runs: the shipped Native AOT one, or one to compare it with.</summary>
    public SidecarBuild Build { get; init; }

    public string Namespace { get; init; } = "default";

    /// <summary>Extra Mesh__* settings (e.g. mTLS once it exists).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}
