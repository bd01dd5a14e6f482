using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>
/// One data-path configuration: the processes between the load generator and the backend, where
/// the load goes, and which processes are measured (the proxies, not the shared backend).
/// </summary>
public abstract class Scenario
{
    private readonly List<ManagedProcess> _proxies = [];

    /// <summary>Stable id used in results and --only ("sidecar-2").</summary>
    public abstract string Name { get; }

    /// <summary>What the path is, for the table.</summary>
    public abstract string Title { get; }

    /// <summary>gRPC unary scenarios compare against grpc-direct; HTTP ones against direct and nginx-1.</summary>
    public virtual bool Grpc => false;

    /// <summary>Runs .NET proxies, which need the long JIT warm-up.</summary>
    public virtual bool Dotnet => false;

    /// <summary>Left out of a run without --only; run when --only names it (a comparison row, not a headline one).</summary>
    public virtual bool OnlyWhenNamed => false;

    public Uri Target { get; protected set; } = new("http://127.0.0.1/");

    /// <summary>The measured processes (each with its children), in path order.</summary>
    public IReadOnlyList<ManagedProcess> Proxies => _proxies;

    public abstract Task StartAsync(RunContext run, SharedServices shared);

    public async Task StopAsync(RunContext run)
    {
        foreach (var process in _proxies)
        {
            await run.StopAsync(process);
        }

        _proxies.Clear();
    }

    protected ManagedProcess Add(ManagedProcess process)
    {
        _proxies.Add(process);
        return process;
    }

    /// <summary>Checks the whole path answers like the backend does (200 and the 1 KB body, or the gRPC reply).</summary>
    protected Task CheckPathAsync(RunContext run, TimeSpan timeout) => Grpc
        ? global::Mesh.Bench.Tool.Grpc.GrpcCheck.WaitForEchoAsync(Target, timeout, [.. _proxies])
        : Readiness.WaitForOkAsync(run, Target, timeout, _proxies, SharedServices.BodyBytes);
}
