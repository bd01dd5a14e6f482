using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Which replica does what must happen once (istiod's leader election): the holder of the
/// <c>coordination.k8s.io/v1</c> Lease <see cref="KubernetesOptions.LeaseName"/> in the control
/// plane's namespace writes the status of the mesh's objects and stores a new mesh CA in its
/// Secret; every replica, leader or not, watches, builds and serves discovery. The Lease is
/// renewed every <see cref="KubernetesOptions.LeaseRetryPeriod"/>; a leader that cannot renew within
/// <see cref="KubernetesOptions.LeaseRenewDeadline"/> stops leading, and another replica takes over
/// once <see cref="KubernetesOptions.LeaseDuration"/> has passed since the last renewal. A leader
/// that stops gracefully gives the Lease up, so the next one takes over at once.
/// </summary>
/// <remarks>KubernetesClient's <see cref="LeaderElector"/> keeps its own (wall) clock; it takes no TimeProvider.</remarks>
internal sealed partial class KubernetesLeaderElection : IHostedService, IDisposable
{
    private readonly IKubernetes _client;
    private readonly KubernetesOptions _options;
    private readonly ILogger<KubernetesLeaderElection> _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private LeaderElector? _elector;
    private Task? _running;
    private volatile bool _leading;

    public KubernetesLeaderElection(IKubernetes client, IOptions<KubernetesOptions> options, ILogger<KubernetesLeaderElection> logger)
    {
        _client = client;
        _options = options.Value;
        _logger = logger;
        // The pod name (HOSTNAME) says which replica leads; the suffix keeps two processes of one host apart.
        Identity = $"{Environment.MachineName}_{Guid.NewGuid():N}"[..Math.Min(63, Environment.MachineName.Length + 33)];
    }

    public string Identity { get; }

    public bool IsLeader => _leading;

    /// <summary>Raised when this replica starts leading: what only the leader does must catch up now.</summary>
    public event Action? BecameLeader;

    /// <summary>Starts campaigning (idempotent): the CA's bootstrap needs to know before any hosted service runs.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_elector is not null)
            {
                return;
            }

            var config = new LeaderElectionConfig(new LeaseLock(_client, _options.Namespace, _options.LeaseName, Identity))
            {
                LeaseDuration = _options.LeaseDuration,
                RenewDeadline = _options.LeaseRenewDeadline,
                RetryPeriod = _options.LeaseRetryPeriod,
            };
            _elector = new LeaderElector(config);
            _elector.OnStartedLeading += () =>
            {
                _leading = true;
                LogStartedLeading(_logger, Identity, _options.Namespace, _options.LeaseName);
                BecameLeader?.Invoke();
            };
            _elector.OnStoppedLeading += () =>
            {
                _leading = false;
                LogStoppedLeading(_logger, Identity, _options.Namespace, _options.LeaseName);
            };
            _elector.OnNewLeader += leader => LogNewLeader(_logger, leader ?? "", _options.Namespace, _options.LeaseName);
            _running = Task.Run(() => CampaignAsync(_elector, _stopping.Token), CancellationToken.None);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_running is not null)
        {
            await _running.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (_leading)
        {
            _leading = false;
            await ReleaseAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        _elector?.Dispose();
        _stopping.Dispose();
    }

    private async Task CampaignAsync(LeaderElector elector, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await elector.RunAndTryToHoldLeadershipForeverAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogCampaignFailed(_logger, _options.LeaseName, ex);
                await Task.Delay(_options.LeaseRetryPeriod, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    // A graceful stop empties the holder, so the next replica need not wait out the lease.
    private async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.Namespace, cancellationToken: cancellationToken);
            if (lease.Spec?.HolderIdentity != Identity)
            {
                return;
            }

            lease.Spec.HolderIdentity = null;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.Namespace, cancellationToken: cancellationToken);
            LogReleased(_logger, Identity, _options.Namespace, _options.LeaseName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not released: the next leader takes over when the lease expires.
            LogCampaignFailed(_logger, _options.LeaseName, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} leads the control plane (Lease {Namespace}/{Name}): it writes status and bootstraps the CA")]
    private static partial void LogStartedLeading(ILogger logger, string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} stopped leading the control plane (Lease {Namespace}/{Name})")]
    private static partial void LogStoppedLeading(ILogger logger, string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "The control plane's leader is {Leader} (Lease {Namespace}/{Name})")]
    private static partial void LogNewLeader(ILogger logger, string leader, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} gave up the Lease {Namespace}/{Name} on shutdown")]
    private static partial void LogReleased(ILogger logger, string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election on Lease {Name} failed; campaigning again")]
    private static partial void LogCampaignFailed(ILogger logger, string name, Exception exception);
}
