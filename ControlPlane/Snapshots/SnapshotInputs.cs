using Mesh.Config.Model;
using Mesh.ControlPlane.Registry;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Everything a snapshot is a pure function of (besides the node): the accepted config,
/// the registry, and mesh-wide settings.
/// </summary>
internal sealed record SnapshotInputs(MeshModel Model, RegistrySnapshot Registry, MeshSettings Settings)
{
    private ServiceIndex? _services;
    private GatewayApiGraph? _gatewayApi;
    private SnapshotMemo? _memo;
    private NetworkGateways? _gateways;

    /// <summary>
    /// The services of the mesh, derived from these inputs alone and shared by every node's build
    /// of them: rebuilding it per node cost ~24 ms per build with 5,000 workloads. A race builds it
    /// twice but every caller gets the same instance (the memo compares it by reference).
    /// </summary>
    internal ServiceIndex Services => Once(ref _services, () => ServiceIndex.Build(Model, Registry, Settings));

    /// <summary>The Gateway API objects resolved (gateways, listeners, route attachment), shared by every node's build and by status.</summary>
    internal GatewayApiGraph GatewayApi => Once(ref _gatewayApi, () => GatewayApiGraphBuilder.Build(Model, Services, Settings));

    /// <summary>Every network's east-west gateways (meshNetworks and the registry's gateways labelled with a network).</summary>
    internal NetworkGateways Gateways => Once(ref _gateways, () => NetworkGateways.Build(Model, Registry, Services, Settings));

    /// <summary>What the snapshots of these inputs share (<see cref="SnapshotMemo"/>); created on first use without a predecessor.</summary>
    internal SnapshotMemo Memo => Once(ref _memo, () => SnapshotMemo.Create(this, previous: null));

    /// <summary>
    /// Continues the memo of the inputs that came before these (the previous push round's), so
    /// what did not change is not rebuilt. Has no effect once anything was built from these inputs.
    /// </summary>
    internal void ContinueFrom(SnapshotInputs previous)
    {
        if (Volatile.Read(ref _memo) is null && Volatile.Read(ref previous._memo) is { } memo)
        {
            Interlocked.CompareExchange(ref _memo, SnapshotMemo.Create(this, memo), null);
        }
    }

    private static T Once<T>(ref T? field, Func<T> create)
        where T : class
    {
        if (Volatile.Read(ref field) is { } value)
        {
            return value;
        }

        Interlocked.CompareExchange(ref field, create(), null);
        return field!;
    }
}

/// <summary>Mesh-wide settings that are not Istio resources (MeshConfig in Istio terms).</summary>
internal sealed record MeshSettings
{
    public string TrustDomain { get; init; } = "cluster.local";

    /// <summary>DNS suffix of registry services: <c>reviews.default.svc.&lt;suffix&gt;</c>.</summary>
    public string DomainSuffix { get; init; } = "cluster.local";

    /// <summary>The root namespace: mesh-wide policies live here (Istio's istio-system).</summary>
    public string RootNamespace { get; init; } = "istio-system";

    public string DefaultNamespace { get; init; } = "default";

    /// <summary>The network of workloads that name none (Istio's <c>values.global.network</c>); empty: the one unnamed network.</summary>
    public string Network { get; init; } = "";

    /// <summary>PEM roots of the mesh CA, pushed to every proxy as its trust bundle.</summary>
    public IReadOnlyList<string> TrustBundlePem { get; init; } = [];

    /// <summary>
    /// Resolves a TLS <c>credentialName</c> (Gateway servers, DestinationRule client TLS) to PEM
    /// material; null (or a null result) leaves the PEM fields empty for the runtime to fill.
    /// </summary>
    public Func<string, TlsCredential?>? CredentialLookup { get; init; }

    /// <summary>
    /// Reads a certificate or key file named by <c>serverCertificate</c>, <c>privateKey</c>,
    /// <c>caCertificates</c> or <c>clientCertificate</c>; null leaves the PEM fields empty.
    /// </summary>
    public Func<string, string?>? PemFileReader { get; init; }
}

/// <summary>PEM material behind a named credential (a Kubernetes TLS secret in Istio).</summary>
internal sealed record TlsCredential(string CertificatePem, string PrivateKeyPem, string? CaCertificatesPem = null);
