namespace Mesh.ControlPlane.Common;

/// <summary>Ready once the first configuration load finished (accepted or not: status tells which).</summary>
internal sealed class ControlPlaneReadiness
{
    private volatile bool _configLoaded;

    public bool IsReady => _configLoaded;

    public void MarkConfigLoaded() => _configLoaded = true;
}
