using System.Collections.Immutable;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// One service as the snapshot builder sees it: from the registry (<c>reviews.default.svc.cluster.local</c>)
/// or from a ServiceEntry host. Immutable, derived per build.
/// </summary>
internal sealed record ServiceModel
{
    /// <summary>FQDN (registry) or the ServiceEntry host as written (may be a wildcard).</summary>
    public required string Hostname { get; init; }

    /// <summary>Short name of a registry service (<c>reviews</c>); null for ServiceEntry hosts.</summary>
    public string? ShortName { get; init; }

    /// <summary>The service's namespace (registry) or the ServiceEntry's namespace.</summary>
    public required string Namespace { get; init; }

    public required ImmutableArray<ServicePortModel> Ports { get; init; }

    public required ImmutableArray<ServiceEndpoint> Endpoints { get; init; }

    public bool External { get; init; }

    public bool DnsResolution { get; init; }

    /// <summary>ServiceEntry resolution NONE: forward to the address the caller asked for.</summary>
    public bool Passthrough { get; init; }

    /// <summary>Visibility (<c>exportTo</c>) of a ServiceEntry; empty = everywhere.</summary>
    public ImmutableArray<string> ExportTo { get; init; } = [];

    /// <summary>ServiceEntry subjectAltNames: expected server identities.</summary>
    public ImmutableArray<string> SubjectAltNames { get; init; } = [];

    public ServiceEntryLocation? Location { get; init; }

    /// <summary>ServiceEntry <c>addresses</c> (IPs and CIDRs): a TCP destination in them is this service.</summary>
    public ImmutableArray<string> Addresses { get; init; } = [];

    public ServicePortModel? FindPort(uint number) => Ports.FirstOrDefault(p => p.Number == number);

    /// <summary>
    /// True when everything but the endpoints is the same: what routes and cluster definitions are
    /// built from. (Every property except <see cref="Endpoints"/> must be compared here; a test
    /// fails when one is added without it.)
    /// </summary>
    public bool SameDefinition(ServiceModel other) =>
        Hostname == other.Hostname
        && ShortName == other.ShortName
        && Namespace == other.Namespace
        && Ports.SequenceEqual(other.Ports)
        && External == other.External
        && DnsResolution == other.DnsResolution
        && Passthrough == other.Passthrough
        && ExportTo.SequenceEqual(other.ExportTo)
        && SubjectAltNames.SequenceEqual(other.SubjectAltNames)
        && Addresses.SequenceEqual(other.Addresses)
        && Location == other.Location;
}

/// <summary>A service port: the number callers use, its name and protocol, and (ServiceEntry) target port.</summary>
internal sealed record ServicePortModel(uint Number, string Name, Wire.Protocol Protocol, uint TargetPort = 0);
