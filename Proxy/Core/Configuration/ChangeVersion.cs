namespace Mesh.Proxy.Core.Configuration;

/// <summary>
/// A version that moves with every change of some state the proxy reports, and a wait for the
/// next move: what the reporting loops (listener status, app health) block on between reports.
/// </summary>
internal sealed class ChangeVersion
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Value { get; private set; }

    /// <summary>Runs <paramref name="update"/> under the lock; when it reports a change, the version moves and waiters wake.</summary>
    public bool Change(Func<bool> update)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (!update())
            {
                return false;
            }

            Value++;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return true;
    }

    /// <summary>Completes once <see cref="Value"/> differs from <paramref name="seen"/>.</summary>
    public Task WaitForChangeAsync(long seen, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Value != seen ? Task.CompletedTask : _changed.Task.WaitAsync(cancellationToken);
        }
    }
}
