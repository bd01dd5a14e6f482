using Mesh.Proxy.Core.Explain;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Security.Authorization;
using Mesh.Proxy.Security.Jwt;
using Mesh.Proxy.Security.Policy;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Security.Explain;

/// <summary>
/// <see cref="ProxyStage.Authorization"/> explained with the stage's own evaluation
/// (<see cref="AuthorizationPolicySet.Evaluate"/>, <see cref="AuthorizationPolicySet.CustomProviders"/>,
/// <see cref="AuthorizationPolicySet.AuditMatch"/>): the decision, the policy and rule that made it,
/// and every policy with the rule it matched. CUSTOM policies name the external authorizer that
/// would be asked; an explanation does not call it (it may have side effects), so its answer is unknown.
/// </summary>
internal sealed class AuthorizationExplainer : IRequestExplainer
{
    public ProxyStage Stage => ProxyStage.Authorization;

    public ValueTask ExplainAsync(ExplainContext context)
    {
        var listener = context.Routing.Listener;
        if (listener.Kind is not (ListenerKind.Inbound or ListenerKind.Gateway)
            || context.Routing.Model?.FeatureModels.Get<InboundSecurityModel>() is not { } security)
        {
            return ValueTask.CompletedTask;
        }

        var policies = security.Authorization;
        var peer = listener.Kind == ListenerKind.Inbound ? context.HttpContext.Features.Get<MeshPeerIdentityFeature>() : null;
        var input = new AuthorizationInput(context.HttpContext, listener, peer, context.HttpContext.Features.Get<JwtPrincipal>());
        if (policies.IsEmpty)
        {
            context.Set("authorization", "ALLOW");
            context.Add(new ExplainStep(nameof(ProxyStage.Authorization), "ALLOW", "no AuthorizationPolicy applies to this workload: everything is allowed"));
            return ValueTask.CompletedTask;
        }

        var items = new List<ExplainItem>();
        AddItems(items, "CUSTOM", policies.Custom.Select(c => c.Policy), input);
        AddItems(items, "DENY", policies.Deny, input);
        AddItems(items, "ALLOW", policies.Allow, input);
        AddItems(items, "AUDIT", policies.Audit, input);
        if (policies.AuditMatch(input) is { } audited)
        {
            context.Set("audit", audited);
        }

        if (policies.Custom.Length > 0 && policies.CustomProviders(input) is { } providers)
        {
            context.Set("custom_providers", string.Join(' ', providers));
            items.Insert(0, new ExplainItem("ext_authz", "CUSTOM", $"the external authorizer(s) {string.Join(", ", providers)} check the request first; their answer is not known to an explanation"));
        }

        var decision = policies.Evaluate(input);
        var action = decision.Allowed ? "ALLOW" : "DENY";
        context.Set("authorization", action);
        context.Set("policy", decision.Policy);
        context.Set("rule", decision.Rule >= 0 ? decision.Rule.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
        var why = (decision.Allowed, decision.Policy) switch
        {
            (false, { } policy) => $"DENY policy {policy} matches (rules[{decision.Rule}])",
            (false, null) => "ALLOW policies exist and none matches",
            (true, { } policy) => $"ALLOW policy {policy} matches (rules[{decision.Rule}]) and no DENY policy does",
            (true, null) => "no DENY policy matches and there is no ALLOW policy",
        };
        context.Add(new ExplainStep(nameof(ProxyStage.Authorization), action, why) { Items = items });
        if (!decision.Allowed)
        {
            context.End(StatusCodes.Status403Forbidden, "RBAC: access denied");
        }

        return ValueTask.CompletedTask;
    }

    private static void AddItems(List<ExplainItem> items, string action, IEnumerable<AuthorizationPolicyModel> policies, in AuthorizationInput input)
    {
        foreach (var policy in policies)
        {
            var rule = policy.MatchingRule(input);
            items.Add(new ExplainItem(policy.Name, rule >= 0 ? $"{action} matches" : "no match",
                rule >= 0 ? $"{action} policy: rules[{rule}] matches" : $"{action} policy: none of its {policy.RuleCount} rule(s) matches"));
        }
    }
}
