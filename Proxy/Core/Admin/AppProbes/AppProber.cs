using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Mesh.Proxy.Core.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mesh.Proxy.Core.Configuration.Probes;

namespace Mesh.Proxy.Core.Admin.AppProbes;

/// <summary>
/// Runs one app probe against the app on <c>Mesh:AppAddress</c> (loopback) the way the kubelet
/// would have run it against the pod: HTTP GET with the probe's path, scheme and headers (the
/// certificate is not verified, redirects to the same host are followed up to 10 times, a
/// redirect elsewhere passes), a TCP connect, or grpc.health.v1 Check (SERVING passes). Every
/// probe ends within its timeout. Connections are not kept between probes, as the kubelet's are not.
/// </summary>
internal sealed class AppProber : IDisposable
{
    private const int MaxRedirects = 10;

    // Hop-by-hop and framing headers are the sidecar's own; everything else the kubelet sent
    // (User-Agent: kube-probe/…, Accept) reaches the app, as Istio forwards it.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade", "Proxy-Connection",
        "Proxy-Authorization", "Content-Length", "Content-Type", "Expect",
    };

    private readonly string _appAddress;
    private readonly TimeProvider _time;
    private readonly HttpMessageInvoker _http;
    private readonly SocketsHttpHandler _grpcHandler;

    public AppProber(IOptions<MeshProxyOptions> options, TimeProvider time)
    {
        _appAddress = options.Value.AppAddress;
        _time = time;
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.Zero,

            // As the kubelet: a probe checks that the app answers, not who it is.
            SslOptions = { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
        });
        _grpcHandler = new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero };
    }

    public async Task<AppProbeResult> RunAsync(AppProbe probe, HttpRequest incoming, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(probe.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return probe.Action switch
            {
                AppProbeAction.HttpGet => await HttpGetAsync(probe, incoming, linked.Token),
                AppProbeAction.TcpSocket => await TcpConnectAsync(probe, linked.Token),
                _ => await GrpcCheckAsync(probe, incoming, linked.Token),
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return AppProbeResult.Fail($"no answer from the app within {probe.Timeout.TotalSeconds:0.###} s");
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded || timeout.IsCancellationRequested)
        {
            return AppProbeResult.Fail($"no answer from the app within {probe.Timeout.TotalSeconds:0.###} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or RpcException or IOException)
        {
            return AppProbeResult.Fail($"{Target(probe)}: {Reason(ex)}");
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _grpcHandler.Dispose();
    }

    private async Task<AppProbeResult> HttpGetAsync(AppProbe probe, HttpRequest incoming, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{(probe.Https ? "https" : "http")}://{Authority(_appAddress, probe.Port)}{probe.HttpPath}");
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.ConnectionClose = true;
            foreach (var (name, values) in incoming.Headers)
            {
                if (!NotForwarded.Contains(name))
                {
                    request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }

            // The Host the kubelet would have sent: the pod's address with the app's port.
            request.Headers.Host = Authority(incoming.Host.HasValue ? incoming.Host.Host : _appAddress, probe.Port);
            foreach (var (name, value) in probe.Headers ?? [])
            {
                request.Headers.Remove(name);
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is < 300 or >= 400)
            {
                return new AppProbeResult(status, $"{uri.GetLeftPart(UriPartial.Path)} answered {status}");
            }

            if (response.Headers.Location is not { } location)
            {
                return new AppProbeResult(StatusCodes.Status200OK, $"{uri.GetLeftPart(UriPartial.Path)} redirected ({status})");
            }

            var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (!string.Equals(next.Host, uri.Host, StringComparison.OrdinalIgnoreCase))
            {
                // The kubelet's rule: a redirect to another host counts as success.
                return new AppProbeResult(StatusCodes.Status200OK, $"{uri.GetLeftPart(UriPartial.Path)} redirected to another host ({status})");
            }

            if (redirects == MaxRedirects)
            {
                return AppProbeResult.Fail($"{uri.GetLeftPart(UriPartial.Path)}: stopped after {MaxRedirects} redirects");
            }

            uri = next;
        }
    }

    private async Task<AppProbeResult> TcpConnectAsync(AppProbe probe, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_appAddress, probe.Port, cancellationToken);
        return new AppProbeResult(StatusCodes.Status200OK, $"{Target(probe)} accepted a connection");
    }

    private async Task<AppProbeResult> GrpcCheckAsync(AppProbe probe, HttpRequest incoming, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress($"http://{Authority(_appAddress, probe.Port)}", new GrpcChannelOptions
        {
            HttpHandler = _grpcHandler,
            DisposeHttpClient = false,
        });
        var metadata = new Metadata();
        if (incoming.Headers.UserAgent.ToString() is { Length: > 0 } userAgent)
        {
            metadata.Add("user-agent", userAgent);
        }

        var response = await new Health.HealthClient(channel).CheckAsync(
            new HealthCheckRequest { Service = probe.GrpcService }, metadata, cancellationToken: cancellationToken);
        return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
            ? new AppProbeResult(StatusCodes.Status200OK, $"{Target(probe)} is SERVING")
            : AppProbeResult.Fail($"{Target(probe)} is {response.Status}");
    }

    private string Target(AppProbe probe) => probe.Action switch
    {
        AppProbeAction.Grpc => $"gRPC health of '{probe.GrpcService}' at {Authority(_appAddress, probe.Port)}",
        AppProbeAction.TcpSocket => $"tcp {Authority(_appAddress, probe.Port)}",
        _ => $"{(probe.Https ? "https" : "http")}://{Authority(_appAddress, probe.Port)}{probe.HttpPath}",
    };

    private static string Authority(string host, int port) =>
        IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]:{port}" : $"{host}:{port}";

    private static string Reason(Exception ex) => ex switch
    {
        RpcException rpc when rpc.StatusCode == StatusCode.Unimplemented => "the app does not implement grpc.health.v1.Health",
        RpcException rpc => $"gRPC {rpc.StatusCode}: {rpc.Status.Detail}",
        HttpRequestException { InnerException: SocketException socket } => socket.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : socket.Message,
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        _ => ex.Message,
    };
}
