using Mesh.ControlPlane.Configuration;

namespace Mesh.ControlPlane.Hosting;

/// <summary>
/// Ready once the first configuration load finished and a configuration serves (accepted, or
/// restored from the data directory). A control plane whose sources are invalid and that has
/// nothing to restore stays not ready and pushes nothing: an empty snapshot would take every route
/// away from the proxies that connect.
/// </summary>
public sealed class ControlPlaneReadiness(ConfigStore store)
{
    private volatile bool _configLoaded;

    public bool IsReady => _configLoaded && store.Current.IsAccepted;

    /// <summary>Why it is not ready (for <c>/readyz</c>); null when ready.</summary>
    public string? NotReadyReason =>
        !_configLoaded ? "loading configuration"
        : store.Current.IsAccepted ? null
        : $"no configuration accepted yet: {store.GetStatus().Rejected.Count} source(s) refused (GET /api/v1/config/status or meshctl status shows the errors)";

    public void MarkConfigLoaded() => _configLoaded = true;
}
