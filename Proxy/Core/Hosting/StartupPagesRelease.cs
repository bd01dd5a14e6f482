using Mesh.Proxy.Core.Discovery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// Once the proxy is ready (first snapshot applied) and has served for <see cref="Settle"/>,
/// releases the file pages it mapped on the way (<see cref="FilePageRelease"/>). A Native AOT
/// proxy's executable is ~27 MB of code and read-only data, and start-up (hosting, configuration
/// binding, the first translation) touches code all over it; the kernel maps 64 KB around every
/// page a fault touches, so ~24 MB of it stayed resident in every sidecar although serving
/// requests touches ~11 MB (docs/benchmarks.md, "Memory of the shipped sidecar"). What serving
/// needs maps back in within the first requests after the release; the rest stays out of the
/// process's RSS (and, being unmapped page cache, is what the kernel reclaims first).
/// </summary>
internal sealed partial class StartupPagesRelease(SnapshotState snapshot, TimeProvider time, ILogger<StartupPagesRelease> logger) : BackgroundService
{
    internal static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            while (!snapshot.IsReady)
            {
                await Task.Delay(ReadyPoll, time, stoppingToken);
            }

            await Task.Delay(Settle, time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var released = FilePageRelease.ReleaseOwn();
        Log.Released(logger, released.Mappings, released.ResidentKb / 1024.0, released.Failed);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Released the start-up pages of {Mappings} read-only file mappings ({Megabytes:0.0} MB resident); {Failed} could not be released.")]
        public static partial void Released(ILogger logger, int mappings, double megabytes, int failed);
    }
}
