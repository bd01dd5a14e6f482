using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Spec of Istio's <c>ServiceEntry</c>: adds a service (usually external) to the registry.</summary>
public sealed record ServiceEntryConfig
{
    public ValueList<string> Hosts { get; init; } = [];

    public ValueList<string> Addresses { get; init; } = [];

    [Limited("HTTP, HTTP2, GRPC, HTTPS, TCP (also MONGO, MYSQL, REDIS; an unset protocol is TCP) and TLS ports; GRPC-WEB, UDP and HTTP_PROXY are refused")]
    public ValueList<ServicePortConfig> Ports { get; init; } = [];

    public ServiceEntryLocation? Location { get; init; }

    [Limited("NONE, STATIC, DNS and DNS_ROUND_ROBIN; DYNAMIC_DNS is refused: the proxy has no dynamic forward proxy")]
    public ServiceEntryResolution? Resolution { get; init; }

    public ValueList<WorkloadEntryConfig> Endpoints { get; init; } = [];

    public WorkloadLabelSelector? WorkloadSelector { get; init; }

    public ValueList<string> ExportTo { get; init; } = [];

    public ValueList<string> SubjectAltNames { get; init; } = [];
}

/// <summary>Istio's <c>ServicePort</c> (ServiceEntry ports).</summary>
public sealed record ServicePortConfig
{
    public uint? Number { get; init; }

    public string? Protocol { get; init; }

    public string? Name { get; init; }

    public uint? TargetPort { get; init; }
}

/// <summary>Spec of Istio's <c>WorkloadEntry</c> (a workload outside the mesh's hosts, such as a VM), also used inline in <c>ServiceEntry.endpoints</c> and as a WorkloadGroup's template.</summary>
public sealed record WorkloadEntryConfig
{
    [Limited("IP addresses and (for DNS resolution) host names; unix:// sockets are refused")]
    public string? Address { get; init; }

    public ValueMap<uint> Ports { get; init; } = ValueMap<uint>.Empty;

    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    /// <summary>The network the endpoint is on (Istio's <c>topology.istio.io/network</c>); other networks reach it through its network's east-west gateway (docs/vm.md §5).</summary>
    public string? Network { get; init; }

    /// <summary><c>region/zone/subzone</c>: locality load balancing (DestinationRule localityLbSetting).</summary>
    public string? Locality { get; init; }

    /// <summary>The endpoint's load balancing weight (Envoy's lb endpoint weight; unset or 0 is 1).</summary>
    public uint? Weight { get; init; }

    public string? ServiceAccount { get; init; }
}

/// <summary>Istio's networking <c>WorkloadSelector</c> (<c>labels</c>, used by Sidecar and ServiceEntry).</summary>
public sealed record WorkloadLabelSelector
{
    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        Labels.All(l => labels.TryGetValue(l.Key, out var value) && value == l.Value);
}

/// <summary>Istio's <c>ServiceEntry.Location</c>.</summary>
public enum ServiceEntryLocation
{
    MeshExternal,
    MeshInternal,
}

/// <summary>Istio's <c>ServiceEntry.Resolution</c>.</summary>
public enum ServiceEntryResolution
{
    None,
    Static,
    Dns,
    DnsRoundRobin,
    DynamicDns,
}
