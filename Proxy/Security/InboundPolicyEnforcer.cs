using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Security.Authorization;
using Mesh.Proxy.Security.Jwt;
using Mesh.Proxy.Security.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Security;

/// <summary>
/// Envoy's jwt_authn then RBAC for one request: strips the headers JWT rules write, authenticates
/// the request's JWTs (401 on a bad one), then evaluates the authorization policies (403, AUDIT
/// logged). Used by the inbound security stage of sidecars and by gateways' admission.
/// </summary>
internal sealed partial class InboundPolicyEnforcer
{
    private readonly JwtAuthenticator _jwt;
    private readonly ILogger _logger;
    private readonly ILogger _audit;

    public InboundPolicyEnforcer(JwtAuthenticator jwt, ILoggerFactory loggers)
    {
        _jwt = jwt;
        _logger = loggers.CreateLogger<MeshSecurityMiddleware>();
        _audit = loggers.CreateLogger("Mesh.Proxy.Audit");
    }

    /// <summary>True when the request may continue; otherwise the 401 or 403 has been written.</summary>
    public async ValueTask<bool> AdmitAsync(HttpContext context, MeshListener listener, InboundSecurityModel security, MeshPeerIdentityFeature? peer)
    {
        JwtPrincipal? user = null;
        if (!security.Jwt.IsEmpty)
        {
            foreach (var header in security.Jwt.OutputHeaders)
            {
                context.Request.Headers.Remove(header);
            }

            var outcome = await _jwt.AuthenticateAsync(context, security.Jwt);
            if (outcome.Failed)
            {
                Log.Unauthenticated(_logger, listener.Name, outcome.Error!);
                await SecurityReply.Unauthorized(context, outcome.Error!);
                return false;
            }

            user = outcome.Principal;
        }

        if (!security.Authorization.IsEmpty && !Authorize(context, listener, security.Authorization, peer, user))
        {
            await SecurityReply.Forbidden(context);
            return false;
        }

        return true;
    }

    private bool Authorize(HttpContext context, MeshListener listener, AuthorizationPolicySet policies, MeshPeerIdentityFeature? peer, JwtPrincipal? user)
    {
        var input = new AuthorizationInput(context, listener, peer, user);
        if (policies.Audit.Length > 0 && policies.AuditMatch(input) is { } audited)
        {
            Log.Audited(_audit, audited, context.Request.Method, context.Request.Path.Value ?? "/", input.SourcePrincipal ?? "-", user?.Principal ?? "-");
        }

        var decision = policies.Evaluate(input);
        if (!decision.Allowed)
        {
            Log.Denied(_logger, listener.Name, context.Request.Method, context.Request.Path.Value ?? "/", input.SourcePrincipal ?? "-", decision.Policy ?? "no ALLOW policy matched");
        }

        return decision.Allowed;
    }

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Debug, "JWT rejected on {Listener}: {Reason}.")]
        public static partial void Unauthenticated(ILogger logger, string listener, string reason);

        [LoggerMessage(3, LogLevel.Debug, "RBAC denied {Method} {Path} on {Listener} from {Principal}: {Policy}.")]
        public static partial void Denied(ILogger logger, string listener, string method, string path, string principal, string policy);

        [LoggerMessage(4, LogLevel.Information, "AUDIT {Policy}: {Method} {Path} from {Principal} (request principal {RequestPrincipal}).")]
        public static partial void Audited(ILogger logger, string policy, string method, string path, string principal, string requestPrincipal);
    }
}
