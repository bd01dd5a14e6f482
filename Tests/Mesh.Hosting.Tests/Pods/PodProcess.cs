using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Testing.Proxy;

namespace Mesh.Hosting.Tests.Pods;

/// <summary>
/// A program run as a container of a pod (<c>dotnet exec</c> of an assembly, or an executable such
/// as the Native AOT sidecar, <see cref="ProxyProgram"/>): in the pod's network namespace, with exactly
/// the environment given (plus PATH/HOME/DOTNET_ROOT to find dotnet), and — for a sidecar — its
/// projected service account token at the path the manifest mounts it, in a private mount
/// namespace (tmpfs over /run, i.e. /var/run), as the kubelet projects it. Output is kept for failure messages.
/// </summary>
internal sealed class PodProcess : IDisposable
{
    // $1 = token file to project (or empty), $2 = its directory in the container; the rest is the program.
    private const string Entrypoint = """
        set -e
        if [ -n "$1" ]; then mount -t tmpfs tmpfs /run; mkdir -p "$2"; cp "$1" "$2/"; fi
        shift 2
        exec "$@"
        """;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private PodProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _output.TakeLast(80));

    /// <param name="podNamespace">The pod's network namespace, or null for the node.</param>
    /// <param name="token">A token file to project into <paramref name="tokenDirectory"/> (its file name is kept).</param>
    /// <param name="command">The program and its first arguments (<c>dotnet exec X.dll</c>, or an executable).</param>
    /// <param name="runAs">In a pod: a command the program runs under (e.g. setpriv with another group), or null.</param>
    public static PodProcess Start(string name, string? podNamespace, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, string? token = null, string? tokenDirectory = null, IReadOnlyList<string>? runAs = null)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        IReadOnlyList<string> arguments = podNamespace is null
            ? command
            : ["ip", "netns", "exec", podNamespace, "unshare", "--mount", "sh", "-c", Entrypoint, "pod", token ?? "", tokenDirectory ?? "", .. runAs ?? [], .. command];
        start.FileName = arguments[0];
        foreach (var argument in arguments.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var inherited in new[] { "PATH", "HOME", "DOTNET_ROOT", "DOTNET_CLI_HOME" })
        {
            if (Environment.GetEnvironmentVariable(inherited) is { } value)
            {
                start.Environment[inherited] = value;
            }
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var pod = new PodProcess(process, name);
        process.OutputDataReceived += (_, e) => pod.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => pod.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return pod;
    }

    /// <summary>
    /// Waits until the program ends by itself (and its output is all read); its exit code. A program
    /// still running after <paramref name="patience"/> fails the test with its output.
    /// </summary>
    public async Task<int> ExitCodeAsync(TimeSpan patience)
    {
        using var spent = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(spent.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{Name} did not exit within {patience}\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Stops the container as the kubelet would kill it, and waits until it is gone.</summary>
    public void Stop()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        try
        {
            Stop();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue($"[{Name}] {line}");
        }
    }
}
