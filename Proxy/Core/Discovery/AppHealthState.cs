using Mesh.Proxy.Core.Configuration;

namespace Mesh.Proxy.Core.Discovery;

/// <summary>
/// Whether the sidecar's app is up, as <see cref="AppHealthChecker"/> last found it; reported to
/// the control plane (WorkloadHealth) whenever it changes. Version 0: not checked (yet), which the
/// control plane treats as ready.
/// </summary>
internal sealed class AppHealthState
{
    private readonly ChangeVersion _version = new();

    public bool Ready { get; private set; } = true;

    public string Reason { get; private set; } = "";

    public long Version => _version.Value;

    /// <summary>Records a check's outcome; returns false when readiness did not change (the reason alone is not news).</summary>
    public bool Set(bool ready, string reason) => _version.Change(() =>
    {
        if (Version > 0 && ready == Ready)
        {
            return false;
        }

        Ready = ready;
        Reason = reason;
        return true;
    });

    /// <summary>Completes once <see cref="Version"/> differs from <paramref name="seen"/>.</summary>
    public Task WaitForChangeAsync(long seen, CancellationToken cancellationToken) => _version.WaitForChangeAsync(seen, cancellationToken);
}
