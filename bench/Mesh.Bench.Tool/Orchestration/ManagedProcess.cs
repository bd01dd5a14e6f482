using System.Diagnostics;
using System.Text;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// A process the harness started (pinned with taskset, which execs the command so the pid is the
/// command's own): its output goes to a log file in the run directory, optionally also to a
/// line callback; stopping sends SIGTERM and kills after a grace period.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly StringBuilder _tail = new();
    private readonly Lock _tailGate = new();

    private ManagedProcess(ProcessSpec spec, Process process, StreamWriter log)
    {
        Spec = spec;
        _process = process;
        _log = log;
    }

    public ProcessSpec Spec { get; }

    public string Name => Spec.Name;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Called for every output line (stdout and stderr), on a thread-pool thread.</summary>
    public Action<string>? OnLine { get; set; }

    public long StartTimestamp { get; private set; }

    public static ManagedProcess Start(ProcessSpec spec, string logDirectory, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo
        {
            FileName = spec.Cpus is null ? spec.FileName : "taskset",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? logDirectory,
        };
        if (spec.Cpus is not null)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(spec.Cpus);
            info.ArgumentList.Add(spec.FileName);
        }

        foreach (var arg in spec.Arguments)
        {
            info.ArgumentList.Add(arg);
        }

        // No telemetry export unless asked: the run measures the proxies, not an OTLP exporter
        // retrying against a collector that is not there.
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        Directory.CreateDirectory(logDirectory);
        var log = new StreamWriter(Path.Combine(logDirectory, spec.Name + ".log"), append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(spec, process, log) { OnLine = onLine };
        process.OutputDataReceived += (_, e) => managed.Line(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Line(e.Data);
        managed.StartTimestamp = Stopwatch.GetTimestamp();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>The last lines of output (for error messages when a process dies).</summary>
    public string Tail()
    {
        lock (_tailGate)
        {
            return _tail.ToString();
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        // SIGTERM lets .NET hosts, nginx and haproxy shut down cleanly (Process.Kill would SIGKILL).
        _ = Signals.Terminate(_process.Id);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tailGate)
        {
            _log.WriteLine(line);
            _tail.AppendLine(line);
            if (_tail.Length > 4000)
            {
                _tail.Remove(0, _tail.Length - 4000);
            }
        }

        OnLine?.Invoke(line);
    }
}
