using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Security.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Security;

/// <summary>
/// The inbound security stage, after routing and before the upstream attempt (Envoy's order:
/// mTLS → jwt_authn → RBAC). On inbound listeners: holds plaintext connections to a port that
/// became STRICT after they were accepted, replaces x-forwarded-client-cert with the verified
/// peer's (or removes it), then <see cref="InboundPolicyEnforcer"/> authenticates JWTs (401) and
/// enforces authorization (403). Elsewhere it only removes caller-supplied x-forwarded-client-cert:
/// identity headers are the inbound sidecar's to set. (Gateways enforce the policies that select
/// them earlier, before route filters: <see cref="GatewayRequestAdmission"/>.)
/// </summary>
internal sealed partial class MeshSecurityMiddleware
{
    public const string ForwardedClientCertHeader = "x-forwarded-client-cert";

    private readonly RequestDelegate _next;
    private readonly InboundPolicyEnforcer _enforcer;
    private readonly ILogger _logger;

    public MeshSecurityMiddleware(RequestDelegate next, InboundPolicyEnforcer enforcer, ILogger<MeshSecurityMiddleware> logger)
    {
        _next = next;
        _enforcer = enforcer;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.Get<MeshRequestFeature>();
        if (request?.Model is not { } model || request.Listener.Kind != ListenerKind.Inbound)
        {
            context.Request.Headers.Remove(ForwardedClientCertHeader);
            return _next(context);
        }

        var security = model.InboundSecurity;
        var peer = context.Features.Get<MeshPeerIdentityFeature>();
        if (peer is null && security.ModeFor(request.Listener) == MtlsMode.Strict)
        {
            // Accepted while the port was PERMISSIVE; Envoy would have drained it with the old listener.
            Log.PlaintextUnderStrict(_logger, request.Listener.Name);
            context.Abort();
            return Task.CompletedTask;
        }

        var headers = context.Request.Headers;
        headers.Remove(ForwardedClientCertHeader);
        if (peer is not null)
        {
            headers[ForwardedClientCertHeader] = peer.ForwardedClientCert;
        }

        return security.Jwt.IsEmpty && security.Authorization.IsEmpty
            ? _next(context)
            : EnforceAsync(context, request.Listener, security, peer);
    }

    private async Task EnforceAsync(HttpContext context, MeshListener listener, InboundSecurityModel security, MeshPeerIdentityFeature? peer)
    {
        if (await _enforcer.AdmitAsync(context, listener, security, peer))
        {
            await _next(context);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Closing a plaintext connection on {Listener}: the port is STRICT now.")]
        public static partial void PlaintextUnderStrict(ILogger logger, string listener);
    }
}
