using Mesh.Config.Model;
using Mesh.Config.Model.MeshConfiguration;
using Mesh.Config.Model.Security;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>
/// Istio's mesh config (ConfigMap <c>istio</c> in <c>istio-system</c>, key <c>mesh</c>): where it may
/// live, its extension providers as Istio validates them, and — across objects — that every CUSTOM
/// AuthorizationPolicy names a provider it defines.
/// </summary>
internal static class MeshConfigValidator
{
    private const string Providers = "data.mesh.extensionProviders";

    public static void Validate(IstioMeshConfigMap spec, ValidationContext context)
    {
        var metadata = context.Object.Metadata;
        if (metadata.Name != IstioMeshConfigMap.Name)
        {
            context.Error("metadata.name", $"Mesh reads only Istio's mesh config, the ConfigMap \"{IstioMeshConfigMap.Name}\" in \"{IstioMeshConfigMap.Namespace}\"; other ConfigMaps are not mesh configuration");
        }
        else if (metadata.Namespace != IstioMeshConfigMap.Namespace)
        {
            context.Error("metadata.namespace", $"Istio's mesh config lives in istiod's namespace \"{IstioMeshConfigMap.Namespace}\"");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Mesh.ExtensionProviders.Count; i++)
        {
            var provider = spec.Mesh.ExtensionProviders[i];
            var path = $"{Providers}[{i}]";
            if (string.IsNullOrEmpty(provider.Name))
            {
                context.Error($"{path}.name", "empty extension provider name");
            }
            else if (!names.Add(provider.Name))
            {
                context.Error($"{path}.name", $"duplicate extension provider name \"{provider.Name}\"");
            }

            if (provider.Kinds.Count == 0)
            {
                context.Error(path, "an extension provider needs one provider (envoyExtAuthzHttp or envoyExtAuthzGrpc)");
            }
            else if (provider.Kinds.Count > 1)
            {
                context.Error(path, $"an extension provider has exactly one provider, found {string.Join(", ", provider.Kinds)}");
            }

            if (provider.EnvoyExtAuthzHttp is { } http)
            {
                var at = $"{path}.envoyExtAuthzHttp";
                Service(http.Service, http.Port, at, context);
                Common(http.Timeout, http.StatusOnError, at, context);
                if (!string.IsNullOrEmpty(http.PathPrefix) && !http.PathPrefix.StartsWith('/'))
                {
                    context.Error($"{at}.pathPrefix", $"pathPrefix must begin with \"/\", got \"{http.PathPrefix}\"");
                }

                Patterns(http.IncludeRequestHeadersInCheck, $"{at}.includeRequestHeadersInCheck", context);
                Patterns(http.IncludeHeadersInCheck, $"{at}.includeHeadersInCheck", context);
                Patterns(http.HeadersToUpstreamOnAllow, $"{at}.headersToUpstreamOnAllow", context);
                Patterns(http.HeadersToDownstreamOnAllow, $"{at}.headersToDownstreamOnAllow", context);
                Patterns(http.HeadersToDownstreamOnDeny, $"{at}.headersToDownstreamOnDeny", context);
                foreach (var (header, value) in http.IncludeAdditionalHeadersInCheck)
                {
                    if ((IstioRules.OperationHeaderName(header, allowAuthority: false) ?? IstioRules.HeaderValue(value)) is { } problem)
                    {
                        context.Error(FieldPath.Key($"{at}.includeAdditionalHeadersInCheck", header), problem);
                    }
                }
            }

            if (provider.EnvoyExtAuthzGrpc is { } grpc)
            {
                var at = $"{path}.envoyExtAuthzGrpc";
                Service(grpc.Service, grpc.Port, at, context);
                Common(grpc.Timeout, grpc.StatusOnError, at, context);
            }
        }

        if (spec.MeshNetworks is { } networks)
        {
            Networks(networks, context);
        }
    }

    // Istio's ValidateMeshNetworks: each endpoint set is one of fromCidr (a CIDR) or fromRegistry; each
    // gateway one of address (IP or host name) or registryServiceName (an FQDN), with a port.
    private static void Networks(MeshNetworks networks, ValidationContext context)
    {
        foreach (var (name, network) in networks.Networks)
        {
            var at = FieldPath.Key("data.meshNetworks.networks", name);
            for (var i = 0; i < network.Endpoints.Count; i++)
            {
                var endpoint = network.Endpoints[i];
                var path = $"{at}.endpoints[{i}]";
                if ((endpoint.FromCidr is null) == (endpoint.FromRegistry is null))
                {
                    context.Error(path, "exactly one of fromCidr or fromRegistry must be set");
                }
                else if (endpoint.FromCidr is { } cidr && (!cidr.Contains('/') || IstioRules.IpOrCidr(cidr) is not null))
                {
                    context.Error($"{path}.fromCidr", $"{cidr} is not a valid CIDR block");
                }
                else if (endpoint.FromRegistry is { Length: 0 })
                {
                    context.Error($"{path}.fromRegistry", "fromRegistry must name a registry (cluster)");
                }
            }

            for (var i = 0; i < network.Gateways.Count; i++)
            {
                var gateway = network.Gateways[i];
                var path = $"{at}.gateways[{i}]";
                if ((gateway.Address is null) == (gateway.RegistryServiceName is null))
                {
                    context.Error(path, "exactly one of address or registryServiceName must be set");
                }
                else if (gateway.Address is { } address && !System.Net.IPAddress.TryParse(address, out _) && IstioRules.Fqdn(address) is { } problem)
                {
                    context.Error($"{path}.address", $"{address} is not a valid IP address or host name: {problem}");
                }
                else if (gateway.RegistryServiceName is { } service && IstioRules.Fqdn(service) is { } invalid)
                {
                    context.Error($"{path}.registryServiceName", invalid);
                }

                if (gateway.Port is not (> 0 and <= 65535))
                {
                    context.Error($"{path}.port", $"port must be between 1 and 65535, got {gateway.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
                }
            }
        }
    }

    /// <summary>Every CUSTOM policy names a provider of the mesh config; the mesh config is the ConfigMap istio in istio-system.</summary>
    public static void CheckProviderReferences(IReadOnlyList<ConfigObject> objects, List<ConfigError> errors)
    {
        var meshConfig = objects.FirstOrDefault(o => o.Spec is IstioMeshConfigMap
            && o.Metadata.Name == IstioMeshConfigMap.Name && o.Metadata.Namespace == IstioMeshConfigMap.Namespace)?.Spec as IstioMeshConfigMap;
        var defined = meshConfig?.Mesh.ExtensionProviders.Select(p => p.Name).OfType<string>().ToList() ?? [];
        foreach (var configObject in objects)
        {
            if (configObject.Spec is AuthorizationPolicyConfig { Action: AuthorizationAction.Custom, Provider.Name: { Length: > 0 } name } && !defined.Contains(name))
            {
                var known = defined.Count == 0 ? "the mesh config defines no extensionProviders" : $"defined: {string.Join(", ", defined)}";
                new ValidationContext(configObject, errors).Error("spec.provider.name",
                    $"extension provider \"{name}\" is not defined in the mesh config (extensionProviders of ConfigMap {IstioMeshConfigMap.Name} in {IstioMeshConfigMap.Namespace}); {known}");
            }
        }
    }

    private static void Service(string? service, uint port, string path, ValidationContext context)
    {
        if (string.IsNullOrEmpty(service))
        {
            context.Error($"{path}.service", "service is required: [<namespace>/]<hostname> of a Kubernetes service or ServiceEntry");
        }
        else
        {
            var host = service.Contains('/') ? service[(service.IndexOf('/') + 1)..] : service;
            if (host.Length == 0 || host.Contains('/') || host.Contains('*'))
            {
                context.Error($"{path}.service", $"invalid service \"{service}\": expected [<namespace>/]<hostname>");
            }
        }

        if (port is 0 or > 65535)
        {
            context.Error($"{path}.port", $"port must be between 1 and 65535, got {port}");
        }
    }

    private static void Common(TimeSpan? timeout, string? statusOnError, string path, ValidationContext context)
    {
        if (timeout is { } value && value <= TimeSpan.Zero)
        {
            context.Error($"{path}.timeout", "timeout must be greater than 0");
        }

        if (!string.IsNullOrEmpty(statusOnError) && !(int.TryParse(statusOnError, out var status) && status is >= 200 and <= 599))
        {
            context.Error($"{path}.statusOnError", $"statusOnError must be an HTTP status code (200-599), got \"{statusOnError}\"");
        }
    }

    private static void Patterns(IReadOnlyList<string> patterns, string path, ValidationContext context)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            if (string.IsNullOrEmpty(patterns[i]) || patterns[i] == "*")
            {
                context.Error($"{path}[{i}]", $"a header pattern must be an exact name, a prefix (abc*) or a suffix (*abc), got \"{patterns[i]}\"");
            }
        }
    }
}
