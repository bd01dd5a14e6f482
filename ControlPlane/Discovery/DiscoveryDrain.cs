using Mesh.ControlPlane.Registry;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Graceful shutdown for discovery streams. If streams were only ended when the server stops, the
/// server would close connections while their final status is still being written, and proxies
/// would see broken connections. So before any hosted service (the server included) stops, this
/// ends every stream (<see cref="StreamsEnding"/>) and waits — briefly, bounded — until the
/// discovery requests have finished: each proxy sees its stream complete with status OK.
/// </summary>
/// <remarks>
/// The registry is told first (<see cref="WorkloadRegistry.BeginShutdown"/>): the streams ending
/// here say nothing about their proxies, which keep running and reconnect to the next control
/// plane, so their endpoints must not be withdrawn from the proxies still connected.
/// </remarks>
internal sealed class DiscoveryDrain(WorkloadRegistry registry) : IHostedLifecycleService
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private int _active;
    private readonly CancellationTokenSource _ending = new();
    private TaskCompletionSource _idle = CompletedSource();

    /// <summary>Cancelled when the control plane starts stopping: stream handlers end on it.</summary>
    public CancellationToken StreamsEnding => _ending.Token;

    public int Active => Volatile.Read(ref _active);

    /// <summary>Counts a discovery request until its response has completed.</summary>
    public async Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        lock (_gate)
        {
            if (_active++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        try
        {
            await next(context);
            await context.Response.CompleteAsync();
        }
        finally
        {
            lock (_gate)
            {
                if (--_active == 0)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        registry.BeginShutdown();
        await _ending.CancelAsync();
        Task idle;
        lock (_gate)
        {
            idle = _idle.Task;
        }

        try
        {
            await idle.WaitAsync(MaxWait, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Streams that did not finish in time are closed with the connections.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }
}
