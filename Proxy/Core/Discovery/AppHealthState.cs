namespace Mesh.Proxy.Core.Discovery;

/// <summary>
/// Whether the sidecar's app is up, as <see cref="AppHealthChecker"/> last found it; reported to
/// the control plane (WorkloadHealth) whenever it changes. Version 0: not checked (yet), which the
/// control plane treats as ready.
/// </summary>
internal sealed class AppHealthState
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Ready { get; private set; } = true;

    public string Reason { get; private set; } = "";

    public long Version { get; private set; }

    /// <summary>Records a check's outcome; returns false when readiness did not change (the reason alone is not news).</summary>
    public bool Set(bool ready, string reason)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (Version > 0 && ready == Ready)
            {
                return false;
            }

            Ready = ready;
            Reason = reason;
            Version++;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return true;
    }

    /// <summary>Completes once <see cref="Version"/> differs from <paramref name="seen"/>.</summary>
    public Task WaitForChangeAsync(long seen, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Version != seen ? Task.CompletedTask : _changed.Task.WaitAsync(cancellationToken);
        }
    }
}
