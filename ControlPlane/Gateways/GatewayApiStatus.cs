using System.Text.Json.Nodes;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Credentials;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Gateways;

/// <summary>
/// The current status of every Gateway API object (GatewayClass, Gateway, routes), from the
/// accepted configuration, the registry (which proxies serve which Gateway; which Services
/// exist) and the gateways' addresses. Computed on demand: the admin API shows it locally, the
/// Kubernetes mode writes it to the API server.
/// </summary>
internal sealed class GatewayApiStatus
{
    private readonly ConfigStore _store;
    private readonly WorkloadRegistry _registry;
    private readonly MeshSettingsState _settings;
    private readonly IGatewayAddresses _addresses;
    private readonly GatewayApiConditionStamp _stamp;

    public GatewayApiStatus(ConfigStore store, WorkloadRegistry registry, MeshSettingsState settings, IGatewayAddresses addresses, TimeProvider time)
    {
        _store = store;
        _registry = registry;
        _settings = settings;
        _addresses = addresses;
        // Locally the generation an object last changed at stands for its metadata.generation.
        _stamp = new GatewayApiConditionStamp(time, o => _store.Current.Entries.TryGetValue(o.Key, out var entry) ? entry.Generation : 0);
    }

    /// <summary>Status by object key (<c>Kind/namespace/name</c>); objects the mesh's controller does not own have none.</summary>
    public IReadOnlyDictionary<string, JsonObject> Current()
    {
        var model = _store.Current.Model;
        var registry = _registry.Current;
        var inputs = new SnapshotInputs(model, registry, _settings.Current);
        return new GatewayApiStatusBuilder(inputs.GatewayApi, model, registry, _addresses, _stamp).Build();
    }
}
