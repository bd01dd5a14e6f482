using System.Runtime.InteropServices;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// SIGINT/SIGTERM as a task, so the harness stops the processes it started instead of leaving
/// them running (a background process ignores SIGINT; SIGTERM would end .NET without cleanup).
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly TaskCompletionSource _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    public Task Signalled => _signalled.Task;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _signalled.TrySetResult();
    }
}
