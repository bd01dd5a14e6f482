using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Network;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Security.Authorization;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Security.Policy;

/// <summary>
/// <see cref="NetworkStage.Authorization"/> (Envoy's network rbac filter): the AuthorizationPolicies
/// of a sidecar's inbound TCP ports and of a gateway's TCP/TLS servers, with Istio's TCP semantics
/// (<see cref="TcpAuthorizationRules"/>), before any upstream is dialled. Principals and namespaces
/// come from the mTLS peer; a refused connection is closed; AUDIT policies are logged.
/// </summary>
internal sealed partial class NetworkAuthorizationFilter : INetworkFilter
{
    private readonly ILogger _logger;
    private readonly ILogger _audit;

    public NetworkAuthorizationFilter(ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger<NetworkAuthorizationFilter>();
        _audit = loggers.CreateLogger("Mesh.Proxy.Audit");
    }

    public ValueTask<bool> OnConnectionAsync(TcpProxySession session, CancellationToken cancellationToken)
    {
        var listener = session.Listener;
        if (listener.Kind is not (ListenerKind.Inbound or ListenerKind.Gateway)
            || session.Model?.FeatureModels.Get<InboundSecurityModel>() is not { TcpAuthorization.IsEmpty: false } security)
        {
            return ValueTask.FromResult(true);
        }

        var input = new AuthorizationInput(session.Connection, listener, listener.Kind == ListenerKind.Inbound ? session.Peer : null);
        var principal = input.SourcePrincipal ?? "-";
        if (security.TcpAuthorization.Audit.Length > 0 && security.TcpAuthorization.AuditMatch(input) is { } audited)
        {
            Log.Audited(_audit, audited, listener.Name, principal);
        }

        // CUSTOM policies would send the connection to an external authorizer first (Envoy's network
        // ext_authz); the proxy does that for HTTP only, so a TCP connection one selects is refused
        // rather than let through unchecked.
        if (security.TcpAuthorization.Custom.Length > 0 && security.TcpAuthorization.CustomProviders(input) is [var provider, ..])
        {
            session.CloseReason = $"ext_authz: CUSTOM AuthorizationPolicy (provider {provider}) selects this TCP connection; external authorization of TCP connections is not implemented";
            Log.Denied(_logger, listener.Name, principal, session.CloseReason);
            return ValueTask.FromResult(false);
        }

        var decision = security.TcpAuthorization.Evaluate(input);
        if (!decision.Allowed)
        {
            session.CloseReason = decision.Policy is { } policy ? $"RBAC: denied by AuthorizationPolicy {policy}" : "RBAC: no ALLOW AuthorizationPolicy matched";
            Log.Denied(_logger, listener.Name, principal, session.CloseReason);
        }

        return ValueTask.FromResult(decision.Allowed);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Connection on {Listener} from {Principal} refused: {Reason}.")]
        public static partial void Denied(ILogger logger, string listener, string principal, string reason);

        [LoggerMessage(2, LogLevel.Information, "AUDIT {Policy}: connection on {Listener} from {Principal}.")]
        public static partial void Audited(ILogger logger, string policy, string listener, string principal);
    }
}
