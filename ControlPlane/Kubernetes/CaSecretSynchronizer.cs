using System.Net;
using Mesh.ControlPlane.Common;
using Microsoft.Extensions.Options;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Keeps the mesh CA in a Secret (<see cref="KubernetesOptions.CaSecretName"/>) instead of the
/// pod's scratch data directory, as istiod keeps its self-signed root in istio-ca-secret. Runs
/// before anything else starts: when the Secret exists its files are written into the CA's
/// directory (<c>&lt;data&gt;/&lt;CaDirectory&gt;</c>, mode 0600), so the CA loads the cluster's root
/// instead of generating one; when it does not, the files the CA generates on first start are
/// stored as the Secret — by the leader only (<see cref="KubernetesLeaderElection"/>): on a fresh
/// cluster the other replicas wait for the Secret and adopt the leader's root, so they never serve
/// a root of their own. Should a Secret appear anyway between read and create (409 Conflict), the
/// replica stops so Kubernetes restarts it, and it adopts that root.
/// </summary>
internal sealed partial class CaSecretSynchronizer(
    IKubernetes client, KubernetesLeaderElection leadership, IOptions<KubernetesOptions> options, IOptions<ControlPlaneOptions> controlPlane,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<CaSecretSynchronizer> logger) : IHostedService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _publishing;

    public string Directory => Path.Combine(Path.GetFullPath(controlPlane.Value.DataDirectory), options.Value.CaDirectory);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var name = options.Value.CaSecretName;
        var ns = options.Value.Namespace;
        leadership.Start();
        var waiting = false;
        while (true)
        {
            try
            {
                var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken);
                System.IO.Directory.CreateDirectory(Directory);
                foreach (var (file, bytes) in secret.Data ?? new Dictionary<string, byte[]>())
                {
                    var path = Path.Combine(Directory, Path.GetFileName(file));
                    await File.WriteAllBytesAsync(path, bytes, cancellationToken);
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    }
                }

                LogAdopted(logger, ns, name, secret.Data?.Count ?? 0);
                return;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                if (leadership.IsLeader)
                {
                    LogWillCreate(logger, ns, name, Directory);
                    _publishing = Task.Run(() => PublishWhenGeneratedAsync(_stopping.Token), CancellationToken.None);
                    return;
                }

                if (!waiting)
                {
                    waiting = true;
                    LogWaitingForLeader(logger, ns, name);
                }
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_publishing is not null)
        {
            await _publishing.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task PublishWhenGeneratedAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The CA writes its files on first start; take them once two polls agree (no write in progress).
            Dictionary<string, byte[]>? previous = null;
            while (true)
            {
                await Task.Delay(PollInterval, cancellationToken);
                var files = Read();
                if (files.Count > 0 && previous is not null && Same(previous, files))
                {
                    break;
                }

                previous = files;
            }

            await client.CoreV1.CreateNamespacedSecretAsync(
                new V1Secret
                {
                    ApiVersion = "v1",
                    Kind = "Secret",
                    Type = "Opaque",
                    Metadata = new V1ObjectMeta
                    {
                        Name = options.Value.CaSecretName,
                        NamespaceProperty = options.Value.Namespace,
                        Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "mesh", ["app.kubernetes.io/component"] = "ca" },
                    },
                    Data = previous,
                },
                options.Value.Namespace,
                cancellationToken: cancellationToken);
            LogCreated(logger, options.Value.Namespace, options.Value.CaSecretName);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            LogLostRace(logger, options.Value.Namespace, options.Value.CaSecretName);
            lifetime.StopApplication();
        }
        catch (Exception ex)
        {
            // Without the Secret a restart would mint a new root and break every workload certificate.
            LogCreateFailed(logger, options.Value.Namespace, options.Value.CaSecretName, ex);
            lifetime.StopApplication();
        }
    }

    private Dictionary<string, byte[]> Read() =>
        !System.IO.Directory.Exists(Directory)
            ? []
            : System.IO.Directory.EnumerateFiles(Directory).Where(f => !Path.GetFileName(f).StartsWith('.'))
                .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);

    private static bool Same(Dictionary<string, byte[]> a, Dictionary<string, byte[]> b) =>
        a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var other) && other.AsSpan().SequenceEqual(e.Value));

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the mesh CA from Secret {Namespace}/{Name} ({Count} file(s))")]
    private static partial void LogAdopted(ILogger logger, string @namespace, string name, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "No Secret {Namespace}/{Name} yet: the CA files generated in {Directory} will be stored there")]
    private static partial void LogWillCreate(ILogger logger, string @namespace, string name, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "No Secret {Namespace}/{Name} yet and this replica does not lead: waiting for the leader to store the mesh CA")]
    private static partial void LogWaitingForLeader(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored the mesh CA in Secret {Namespace}/{Name}")]
    private static partial void LogCreated(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "Another replica stored a different mesh CA in Secret {Namespace}/{Name} first; stopping so the restart adopts it")]
    private static partial void LogLostRace(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Could not store the mesh CA in Secret {Namespace}/{Name}; stopping rather than serving a root that would not survive a restart")]
    private static partial void LogCreateFailed(ILogger logger, string @namespace, string name, Exception exception);
}
