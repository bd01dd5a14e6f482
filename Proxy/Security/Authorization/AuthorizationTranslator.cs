using System.Globalization;
using Mesh.Proxy.Core.Translation;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Security.Authorization;

/// <summary>Compiles the snapshot's authorization policies; a value the proxy cannot evaluate is a NACK naming its field.</summary>
internal static class AuthorizationTranslator
{
    public static AuthorizationPolicySet Translate(IReadOnlyList<Wire.AuthorizationPolicy> policies, string path, TranslationErrors errors)
    {
        if (policies.Count == 0)
        {
            return AuthorizationPolicySet.Empty;
        }

        var deny = new List<AuthorizationPolicyModel>();
        var allow = new List<AuthorizationPolicyModel>();
        var audit = new List<AuthorizationPolicyModel>();
        var custom = new List<CustomPolicyModel>();
        for (var i = 0; i < policies.Count; i++)
        {
            var policy = policies[i];
            var policyPath = $"{path}[{i}] ({policy.Name})";
            var rules = new List<AuthorizationRuleModel>();
            for (var r = 0; r < policy.Rules.Count; r++)
            {
                rules.Add(Rule(policy.Rules[r], $"{policyPath}.rules[{r}]", errors));
            }

            var model = new AuthorizationPolicyModel(policy.Name, [.. rules]);
            if (policy.Action == Wire.AuthorizationPolicy.Types.Action.Custom)
            {
                custom.Add(new CustomPolicyModel(model, policy.Provider));
                continue;
            }

            (policy.Action switch
            {
                Wire.AuthorizationPolicy.Types.Action.Deny => deny,
                Wire.AuthorizationPolicy.Types.Action.Audit => audit,
                _ => allow,
            }).Add(model);
        }

        return new AuthorizationPolicySet([.. deny], [.. allow], [.. audit], [.. custom]);
    }

    private static AuthorizationRuleModel Rule(Wire.AuthorizationRule rule, string path, TranslationErrors errors)
    {
        var from = new List<SourceMatcher>();
        for (var i = 0; i < rule.From.Count; i++)
        {
            var source = rule.From[i];
            var sourcePath = $"{path}.from[{i}].source";
            from.Add(new SourceMatcher
            {
                Principals = PatternList.From(source.Principals),
                NotPrincipals = PatternList.From(source.NotPrincipals),
                RequestPrincipals = PatternList.From(source.RequestPrincipals),
                NotRequestPrincipals = PatternList.From(source.NotRequestPrincipals),
                Namespaces = PatternList.From(source.Namespaces),
                NotNamespaces = PatternList.From(source.NotNamespaces),
                IpBlocks = Blocks(source.IpBlocks, $"{sourcePath}.ipBlocks", errors),
                NotIpBlocks = Blocks(source.NotIpBlocks, $"{sourcePath}.notIpBlocks", errors),
                RemoteIpBlocks = Blocks(source.RemoteIpBlocks, $"{sourcePath}.remoteIpBlocks", errors),
                NotRemoteIpBlocks = Blocks(source.NotRemoteIpBlocks, $"{sourcePath}.notRemoteIpBlocks", errors),
            });
        }

        var to = new List<OperationMatcher>();
        for (var i = 0; i < rule.To.Count; i++)
        {
            var operation = rule.To[i];
            var operationPath = $"{path}.to[{i}].operation";
            to.Add(new OperationMatcher
            {
                Hosts = PatternList.From(operation.Hosts, ignoreCase: true),
                NotHosts = PatternList.From(operation.NotHosts, ignoreCase: true),
                Ports = Ports(operation.Ports, $"{operationPath}.ports", errors),
                NotPorts = Ports(operation.NotPorts, $"{operationPath}.notPorts", errors),
                Methods = PatternList.From(operation.Methods),
                NotMethods = PatternList.From(operation.NotMethods),
                Paths = PatternList.From(operation.Paths),
                NotPaths = PatternList.From(operation.NotPaths),
            });
        }

        var when = new List<ConditionMatcher>();
        for (var i = 0; i < rule.When.Count; i++)
        {
            var condition = rule.When[i];
            if (ConditionMatcher.Create(condition.Key, condition.Values, condition.NotValues, out var error) is { } matcher)
            {
                when.Add(matcher);
            }
            else
            {
                errors.Add($"{path}.when[{i}] ({condition.Key})", error!);
            }
        }

        return new AuthorizationRuleModel([.. from], [.. to], [.. when]);
    }

    internal static IpBlockList? ParseBlocks(IReadOnlyList<string> values, out string? error)
    {
        error = null;
        if (values.Count == 0)
        {
            return null;
        }

        var blocks = new IpBlock[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            if (!IpBlock.TryParse(values[i], out blocks[i], out error))
            {
                return null;
            }
        }

        return new IpBlockList(blocks);
    }

    private static IpBlockList? Blocks(IReadOnlyList<string> values, string path, TranslationErrors errors)
    {
        var blocks = ParseBlocks(values, out var error);
        if (error is not null)
        {
            errors.Add(path, error);
        }

        return blocks;
    }

    private static int[]? Ports(IReadOnlyList<string> values, string path, TranslationErrors errors)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var ports = new int[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            if (!int.TryParse(values[i], NumberStyles.None, CultureInfo.InvariantCulture, out ports[i]) || ports[i] > 65535)
            {
                errors.Add($"{path}[{i}]", $"'{values[i]}' is not a port number");
            }
        }

        return ports;
    }
}
