using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.Identity;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Discovery;
using Mesh.Proxy.Core.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Security.Certificates;

/// <summary>
/// Keeps this workload's certificate fresh: once the mesh has a CA (the first snapshot with a trust
/// bundle activates it) it generates a key, sends a CSR for the workload's SPIFFE id with the
/// proxy's credential, and publishes the result; it rotates at half the lifetime and on demand
/// (root rotation), retrying with back-off while the current certificate still serves.
/// </summary>
internal sealed partial class WorkloadCertificateManager : BackgroundService
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxWaitSlice = TimeSpan.FromHours(12);

    private readonly MeshProxyOptions _options;
    private readonly ProxySecurityOptions _security;
    private readonly WorkloadIdentityState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _activated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstCertificate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private volatile string? _trustDomain;
    private volatile string? _lastError;

    public WorkloadCertificateManager(
        IOptions<MeshProxyOptions> options, IOptions<ProxySecurityOptions> security, WorkloadIdentityState state, TimeProvider time, ILogger<WorkloadCertificateManager> logger)
    {
        _options = options.Value;
        _security = security.Value;
        _state = state;
        _time = time;
        _logger = logger;
    }

    /// <summary>Why the last request failed (null after a success): the NACK reason while no certificate exists.</summary>
    public string? LastError => _lastError;

    /// <summary>The SPIFFE id this proxy asks for, once the trust domain is known.</summary>
    public string? SpiffeId => _trustDomain is { } domain ? $"spiffe://{domain}/ns/{_options.Node.Namespace}/sa/{_options.Node.ServiceAccount}" : null;

    /// <summary>Starts (or re-targets) issuance for the mesh's trust domain; idempotent.</summary>
    public void Activate(string trustDomain)
    {
        var previous = _trustDomain;
        _trustDomain = trustDomain;
        if (previous is not null && previous != trustDomain)
        {
            RequestRenewal();
        }

        _activated.TrySetResult();
    }

    /// <summary>Asks for a new certificate now (e.g. the CA's root changed).</summary>
    public void RequestRenewal()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A renewal is already pending.
        }
    }

    public Task WaitForCertificateAsync(CancellationToken cancellationToken) =>
        _state.Certificate is not null ? Task.CompletedTask : _firstCertificate.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _activated.Task.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using var channel = GrpcChannel.ForAddress(_options.ControlPlane.Address, new GrpcChannelOptions
        {
            HttpHandler = ControlPlaneTls.Configure(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), EnableMultipleHttp2Connections = true }, _options.ControlPlane),
            DisposeHttpClient = true,
        });
        var client = new MeshCertificates.MeshCertificatesClient(channel);
        var failures = 0;
        var due = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = _time.GetUtcNow();
                if (now < due)
                {
                    // Woken early by RequestRenewal (root rotation, trust domain change); long waits are cut
                    // into slices because a certificate may live longer than a timer can wait.
                    var wait = due - now < MaxWaitSlice ? due - now : MaxWaitSlice;
                    if (!await WaitForWakeAsync(wait, stoppingToken))
                    {
                        continue;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                var certificate = await RequestAsync(client, stoppingToken);
                _state.Publish(certificate);
                _firstCertificate.TrySetResult();
                _lastError = null;
                failures = 0;
                Log.Issued(_logger, certificate.Identity.Uri, certificate.Leaf.SerialNumber, certificate.NotAfter.UtcDateTime, certificate.RenewAt.UtcDateTime);
                due = certificate.RenewAt;
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _lastError = ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message;
                if (failures++ == 0)
                {
                    Log.RequestFailed(_logger, SpiffeId ?? "", _lastError);
                }

                due = _time.GetUtcNow() + RetryDelay(failures);
            }
        }
    }

    /// <summary>True when woken by <see cref="RequestRenewal"/>; false when <paramref name="wait"/> passed on the manager's clock.</summary>
    private async Task<bool> WaitForWakeAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(wait, _time);
        using var waitSource = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            await _wake.WaitAsync(waitSource.Token);
            return true;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private TimeSpan RetryDelay(int failures)
    {
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 200 * Math.Pow(2, Math.Min(failures - 1, 10))));

        // A certificate about to expire is worth retrying for sooner than the back-off says.
        if (_state.Certificate is { } current && current.NotAfter - _time.GetUtcNow() is var left && left > TimeSpan.Zero && left / 4 < delay)
        {
            delay = left / 4;
        }

        return delay;
    }

    private async Task<WorkloadCertificate> RequestAsync(MeshCertificates.MeshCertificatesClient client, CancellationToken cancellationToken)
    {
        var spiffeId = SpiffeId!;
        var (key, csr) = CertificateSigningRequestFactory.Create(spiffeId);
        using (key)
        {
            var headers = new Metadata();
            if (await ControlPlaneCredential.ReadAsync(_options.ControlPlane, cancellationToken) is { Length: > 0 } token)
            {
                headers.Add("authorization", $"Bearer {token}");
            }

            var response = await client.CreateCertificateAsync(
                new Contracts.Identity.CertificateRequest { CsrPem = csr, ValiditySeconds = (long)_security.CertificateLifetime.TotalSeconds },
                headers,
                deadline: DateTime.UtcNow + RequestTimeout,
                cancellationToken: cancellationToken);
            if (response.CertChainPem.Count == 0)
            {
                throw new InvalidOperationException("the CA answered without a certificate");
            }

            using var issued = X509Certificate2.CreateFromPem(response.CertChainPem[0]);
            var leaf = issued.CopyWithPrivateKey(key);
            var intermediates = new X509Certificate2Collection();
            foreach (var pem in response.CertChainPem.Skip(1))
            {
                intermediates.ImportFromPem(pem);
            }

            var identity = SpiffeIdentity.From(leaf);
            if (identity?.Uri != spiffeId)
            {
                throw new InvalidOperationException($"the CA issued a certificate for {identity?.Uri ?? "no SPIFFE id"}, not {spiffeId}");
            }

            return new WorkloadCertificate(leaf, intermediates, identity);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Workload certificate for {Identity} issued (serial {Serial}, valid until {NotAfter:u}, renewal at {RenewAt:u}).")]
        public static partial void Issued(ILogger logger, string identity, string serial, DateTime notAfter, DateTime renewAt);

        [LoggerMessage(2, LogLevel.Warning, "Requesting a workload certificate for {Identity} failed: {Reason}. Retrying with back-off.")]
        public static partial void RequestFailed(ILogger logger, string identity, string reason);
    }
}
