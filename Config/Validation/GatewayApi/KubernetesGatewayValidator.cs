using System.Text.RegularExpressions;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>The Gateway CRD's rules (gateway.networking.k8s.io), with its messages.</summary>
internal static partial class KubernetesGatewayValidator
{
    public static void Validate(KubernetesGatewayConfig spec, ValidationContext context)
    {
        GatewayApiRules.ObjectName(spec.GatewayClassName, "spec.gatewayClassName", context);
        if (spec.Listeners.Count == 0)
        {
            context.Error("spec.listeners", "Required value: a Gateway needs at least one listener");
        }

        GatewayApiRules.MaxItems(spec.Listeners, 64, "spec.listeners", context);
        for (var i = 0; i < spec.Listeners.Count; i++)
        {
            Listener(spec.Listeners[i], $"spec.listeners[{i}]", context);
        }

        ListenerSet(spec.Listeners, context);
        Addresses(spec, context);
        if (spec.DefaultScope is { } scope && scope is not ("All" or "None"))
        {
            context.Error("spec.defaultScope", $"Unsupported value: \"{scope}\": supported values: \"All\", \"None\"");
        }

        if (spec.Infrastructure?.ParametersRef is { } parameters)
        {
            GatewayApiRules.Required(parameters.Kind, "spec.infrastructure.parametersRef.kind", context);
            GatewayApiRules.Required(parameters.Name, "spec.infrastructure.parametersRef.name", context);
        }

        if (spec.Tls?.Frontend is { } frontend)
        {
            if (frontend.Default is null)
            {
                context.Error("spec.tls.frontend.default", "Required value");
            }

            if (frontend.PerPort.GroupBy(p => p.Port).Any(g => g.Count() > 1))
            {
                context.Error("spec.tls.frontend.perPort", "Port for TLS configuration must be unique within the Gateway");
            }
        }
    }

    private static void Listener(Listener listener, string path, ValidationContext context)
    {
        GatewayApiRules.Required(listener.Name, $"{path}.name", context);
        GatewayApiRules.SectionName(listener.Name, $"{path}.name", context);
        GatewayApiRules.Hostname(listener.Hostname, $"{path}.hostname", context);
        if (listener.Port is null)
        {
            context.Error($"{path}.port", "Required value");
        }

        GatewayApiRules.Port(listener.Port, $"{path}.port", context);
        if (string.IsNullOrEmpty(listener.Protocol))
        {
            context.Error($"{path}.protocol", "Required value");
        }
        else if (listener.Protocol.Length > 255 || !ProtocolPattern().IsMatch(listener.Protocol))
        {
            context.Error($"{path}.protocol", $"Invalid value: \"{listener.Protocol}\": should match '{ProtocolPattern()}'");
        }

        if (listener.Tls is { } tls)
        {
            if ((tls.Mode ?? TlsModeType.Terminate) == TlsModeType.Terminate && tls.CertificateRefs.Count == 0 && tls.Options.Count == 0)
            {
                context.Error($"{path}.tls", "certificateRefs or options must be specified when mode is Terminate");
            }

            GatewayApiRules.MaxItems(tls.CertificateRefs, 64, $"{path}.tls.certificateRefs", context);
            for (var i = 0; i < tls.CertificateRefs.Count; i++)
            {
                var reference = tls.CertificateRefs[i];
                var at = $"{path}.tls.certificateRefs[{i}]";
                GatewayApiRules.Group(reference.Group, $"{at}.group", context);
                GatewayApiRules.Kind(reference.Kind, $"{at}.kind", context);
                GatewayApiRules.ObjectName(reference.Name, $"{at}.name", context);
                GatewayApiRules.Namespace(reference.Namespace, $"{at}.namespace", context);
            }

            if (tls.Options.Count > 16)
            {
                context.Error($"{path}.tls.options", $"Too many: {tls.Options.Count}: must have at most 16 items");
            }
        }

        if (listener.AllowedRoutes is { } allowed)
        {
            if (allowed.Namespaces?.From == FromNamespaces.None)
            {
                context.Error($"{path}.allowedRoutes.namespaces.from", "Unsupported value: \"None\": supported values: \"All\", \"Selector\", \"Same\"");
            }

            if (allowed.Namespaces?.Selector is { } selector)
            {
                LabelSelectorRules.Validate(selector, $"{path}.allowedRoutes.namespaces.selector", context);
            }

            GatewayApiRules.MaxItems(allowed.Kinds, 8, $"{path}.allowedRoutes.kinds", context);
            for (var i = 0; i < allowed.Kinds.Count; i++)
            {
                GatewayApiRules.Group(allowed.Kinds[i].Group, $"{path}.allowedRoutes.kinds[{i}].group", context);
                GatewayApiRules.Required(allowed.Kinds[i].Kind, $"{path}.allowedRoutes.kinds[{i}].kind", context);
                GatewayApiRules.Kind(allowed.Kinds[i].Kind, $"{path}.allowedRoutes.kinds[{i}].kind", context);
            }
        }
    }

    // The rules across listeners, reported on the list as the API server does.
    private static void ListenerSet(IReadOnlyList<Listener> listeners, ValidationContext context)
    {
        const string path = "spec.listeners";
        if (listeners.Any(l => l.Protocol is "HTTP" or "TCP" or "UDP" && l.Tls is not null))
        {
            context.Error(path, "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
        }

        if (listeners.Any(l => l.Protocol == "HTTPS" && l.Tls is not null && (l.Tls.Mode ?? TlsModeType.Terminate) != TlsModeType.Terminate))
        {
            context.Error(path, "tls mode must be Terminate for protocol HTTPS");
        }

        if (listeners.Any(l => l.Protocol == "TLS" && l.Tls?.Mode is null))
        {
            context.Error(path, "tls mode must be set for protocol TLS");
        }

        if (listeners.Any(l => l.Protocol is "TCP" or "UDP" && l.Hostname is not null))
        {
            context.Error(path, "hostname must not be specified for protocols ['TCP', 'UDP']");
        }

        if (listeners.Where(l => l.Name is not null).GroupBy(l => l.Name, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            context.Error(path, "Listener name must be unique within the Gateway");
        }

        if (listeners.GroupBy(l => (l.Port, l.Protocol, l.Hostname ?? "")).Any(g => g.Count() > 1))
        {
            context.Error(path, "Combination of port, protocol and hostname must be unique for each listener");
        }
    }

    private static void Addresses(KubernetesGatewayConfig spec, ValidationContext context)
    {
        GatewayApiRules.MaxItems(spec.Addresses, 16, "spec.addresses", context);
        for (var i = 0; i < spec.Addresses.Count; i++)
        {
            var address = spec.Addresses[i];
            if (address.Type is { } type && !AddressTypePattern().IsMatch(type))
            {
                context.Error($"spec.addresses[{i}].type", $"Invalid value: \"{type}\": should match '{AddressTypePattern()}'");
            }

            if (address.Type == "Hostname" && address.Value is { Length: > 0 } value && !HostnameValue().IsMatch(value))
            {
                context.Error($"spec.addresses[{i}]", "Hostname value must be empty or contain only valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)");
            }
        }

        foreach (var type in new[] { "IPAddress", "Hostname" })
        {
            if (spec.Addresses.Where(a => (a.Type ?? "IPAddress") == type && !string.IsNullOrEmpty(a.Value)).GroupBy(a => a.Value).Any(g => g.Count() > 1))
            {
                context.Error("spec.addresses", $"{type} values must be unique");
            }
        }
    }

    [GeneratedRegex(@"^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$")]
    private static partial Regex ProtocolPattern();

    [GeneratedRegex(@"^Hostname|IPAddress|NamedAddress|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$")]
    private static partial Regex AddressTypePattern();

    [GeneratedRegex(@"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex HostnameValue();
}
