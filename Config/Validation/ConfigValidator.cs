using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Model.Core;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Model.MeshConfiguration;
using Mesh.Config.Model.Networking;
using Mesh.Config.Model.Security;
using Mesh.Config.Model.Telemetry;
using Mesh.Config.Validation.Core;
using Mesh.Config.Validation.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>
/// Semantic validation of a complete candidate configuration with Istio's rules: per-object
/// rules (each kind's validator) and cross-object rules (no two objects with the same
/// Kind/namespace/name). Returns every error; never throws.
/// </summary>
public static class ConfigValidator
{
    public static IReadOnlyList<ConfigError> Validate(IReadOnlyList<ConfigObject> objects)
    {
        var errors = new List<ConfigError>();
        foreach (var configObject in objects)
        {
            var context = new ValidationContext(configObject, errors);
            try
            {
                ValidateObject(configObject, context);
            }
            catch (Exception ex)
            {
                // A validator bug must not take the control plane down: report it as an error.
                context.Error("", $"internal validation error: {ex.Message}");
            }
        }

        CheckDuplicates(objects, errors);
        MeshConfigValidator.CheckProviderReferences(objects, errors);
        return errors;
    }

    /// <summary>Validates one object on its own (no cross-object rules).</summary>
    public static IReadOnlyList<ConfigError> Validate(ConfigObject configObject) => Validate([configObject]);

    /// <summary>
    /// The semantic errors of the objects a parse could only partly bind
    /// (<see cref="ConfigParseResult.Incomplete"/>), so one run reports a document's unknown
    /// fields and its rule violations together. Each object is checked on its own; errors at,
    /// under or directly above a path the parser already reported are left out (they are
    /// consequences of the parse error, such as a missing required field that was misspelt).
    /// </summary>
    public static IReadOnlyList<ConfigError> ValidateIncomplete(ConfigParseResult parsed)
    {
        var errors = new List<ConfigError>();
        foreach (var configObject in parsed.Incomplete)
        {
            foreach (var error in Validate(configObject))
            {
                if (!configObject.ParseErrorPaths.Any(p => Related(p, error.Path)))
                {
                    errors.Add(error);
                }
            }
        }

        return errors;
    }

    /// <summary>Every error of a parsed text: its parse errors and the semantic errors of its complete and incomplete objects.</summary>
    public static IReadOnlyList<ConfigError> ValidateParsed(ConfigParseResult parsed) =>
        [.. parsed.Errors, .. ValidateIncomplete(parsed), .. Validate(parsed.Objects)];

    private static bool Related(string parsePath, string errorPath) =>
        Within(errorPath, parsePath) || (Within(parsePath, errorPath) && Parent(parsePath) == errorPath);

    // True when `path` is `ancestor` or lies under it.
    private static bool Within(string path, string ancestor) =>
        path == ancestor || (path.StartsWith(ancestor, StringComparison.Ordinal) && path.Length > ancestor.Length && path[ancestor.Length] is '.' or '[');

    private static string Parent(string path)
    {
        var cut = path.EndsWith("\"]", StringComparison.Ordinal) ? path.LastIndexOf("[\"", StringComparison.Ordinal) : Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    private static void ValidateObject(ConfigObject configObject, ValidationContext context)
    {
        MetadataValidator.Validate(configObject, context);
        RefusedFields.Check(configObject.Spec, configObject.Spec is IstioMeshConfigMap ? "data" : "spec", context);
        switch (configObject.Spec)
        {
            case VirtualServiceConfig spec:
                VirtualServiceValidator.Validate(spec, context);
                break;
            case DestinationRuleConfig spec:
                DestinationRuleValidator.Validate(spec, context);
                break;
            case GatewayConfig spec:
                GatewayValidator.Validate(spec, context);
                break;
            case ServiceEntryConfig spec:
                ServiceEntryValidator.Validate(spec, context);
                break;
            case SidecarConfig spec:
                SidecarValidator.Validate(spec, context);
                break;
            case WorkloadEntryConfig spec:
                WorkloadEntryValidator.Validate(spec, context);
                break;
            case WorkloadGroupConfig spec:
                WorkloadGroupValidator.Validate(spec, context);
                break;
            case PeerAuthenticationConfig spec:
                PeerAuthenticationValidator.Validate(spec, context);
                break;
            case AuthorizationPolicyConfig spec:
                AuthorizationPolicyValidator.Validate(spec, context);
                break;
            case RequestAuthenticationConfig spec:
                RequestAuthenticationValidator.Validate(spec, context);
                break;
            case TelemetryConfig spec:
                TelemetryValidator.Validate(spec, context);
                break;
            case GatewayClassConfig spec:
                GatewayClassValidator.Validate(spec, context);
                break;
            case KubernetesGatewayConfig spec:
                KubernetesGatewayValidator.Validate(spec, context);
                break;
            case HttpRouteConfig spec:
                HttpRouteValidator.Validate(spec, context);
                break;
            case GrpcRouteConfig spec:
                GrpcRouteValidator.Validate(spec, context);
                break;
            case ReferenceGrantConfig spec:
                ReferenceGrantValidator.Validate(spec, context);
                break;
            case TcpRouteConfig spec:
                L4RouteValidator.Validate(spec, context);
                break;
            case TlsRouteConfig spec:
                L4RouteValidator.Validate(spec, context);
                break;
            case KubernetesServiceConfig spec:
                KubernetesServiceValidator.Validate(spec, context);
                break;
            case IstioMeshConfigMap spec:
                MeshConfigValidator.Validate(spec, context);
                break;
            default:
                context.Error("spec", $"unsupported spec type {configObject.Spec.GetType().Name}");
                break;
        }
    }

    private static void CheckDuplicates(IReadOnlyList<ConfigObject> objects, List<ConfigError> errors)
    {
        foreach (var group in objects.GroupBy(o => o.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var first = group.First();
            foreach (var duplicate in group.Skip(1))
            {
                new ValidationContext(duplicate, errors).Error("metadata.name",
                    $"duplicate {duplicate.Kind} \"{duplicate.Metadata.Name}\" in namespace \"{duplicate.Metadata.Namespace}\" (first defined in {first.Source.Origin} (document {first.Source.DocumentIndex}))");
            }
        }
    }
}
