namespace Mesh.ControlPlane.Common;

/// <summary>
/// Whether the first configuration load finished (accepted or not). Readiness also needs a
/// configuration that serves (<c>/readyz</c>, Admin/HealthEndpoints, asks the store).
/// </summary>
internal sealed class ControlPlaneReadiness
{
    private volatile bool _configLoaded;

    public bool IsConfigLoaded => _configLoaded;

    public void MarkConfigLoaded() => _configLoaded = true;
}
