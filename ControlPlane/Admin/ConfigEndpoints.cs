using System.Text.Json.Nodes;
using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Gateways;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// <c>/api/v1/config</c>: apply (create or replace), delete, list, get (JSON, or YAML with
/// <c>Accept: application/yaml</c> or <c>?format=yaml</c>) and status.
/// </summary>
internal static partial class ConfigEndpoints
{
    private const string YamlContentType = "application/yaml";

    public static IEndpointRouteBuilder MapConfigEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var config = endpoints.MapGroup("/api/v1/config");
        config.MapPost("", ApplyAsync);
        endpoints.MapPost("/api/v1/config:delete", DeleteManyAsync);
        config.MapGet("", List);
        config.MapGet("/status", (ConfigStore store, ConnectedProxies proxies) => Json(ConfigStatusResponse.From(store.GetStatus(), proxies.All.Select(p => p.GetStatus()))));
        config.MapGet("/{kind}", ListKind);
        config.MapGet("/{kind}/{namespace}/{name}", Get);
        config.MapDelete("/{kind}/{namespace}/{name}", DeleteOneAsync);
        return endpoints;
    }

    private static async Task<IResult> ApplyAsync(HttpRequest request, ConfigStore store, string? @namespace, CancellationToken cancellationToken)
    {
        if (InvalidNamespace(@namespace) is { } invalid)
        {
            return invalid;
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return Message(StatusCodes.Status400BadRequest, "the request body is empty: send one or more YAML documents");
        }

        return Change(await store.ApplyAsync(body, @namespace, cancellationToken));
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex DnsLabel();

    /// <summary><c>?namespace=</c> (kubectl's <c>-n</c>): a DNS label, or absent.</summary>
    private static IResult? InvalidNamespace(string? @namespace) =>
        @namespace is null || (@namespace.Length <= 63 && DnsLabel().IsMatch(@namespace))
            ? null
            : Message(StatusCodes.Status400BadRequest, $"namespace '{@namespace}' is not a DNS label (lower-case letters, digits and '-', at most 63)");

    private static async Task<IResult> DeleteManyAsync(HttpRequest request, ConfigStore store, string? ignoreNotFound, string? @namespace, CancellationToken cancellationToken)
    {
        if (InvalidNamespace(@namespace) is { } invalid)
        {
            return invalid;
        }

        var ignoreMissing = false;
        if (ignoreNotFound is not null && !bool.TryParse(ignoreNotFound, out ignoreMissing))
        {
            return Message(StatusCodes.Status400BadRequest, $"ignoreNotFound must be true or false, not '{ignoreNotFound}'");
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return Message(StatusCodes.Status400BadRequest, "the request body is empty: send the YAML documents of the objects to delete");
        }

        var parsed = ConfigParser.Parse(body, ConfigOrigins.ApiRequest, @namespace);
        if (!parsed.Succeeded)
        {
            return Change(new ConfigChangeResult(ConfigChangeOutcome.Invalid, store.Current.Generation, [], parsed.Errors,
                "the request body does not parse; nothing deleted"));
        }

        var targets = parsed.Objects.Select(o => new ConfigObjectRef(o.Kind, o.Metadata.Namespace, o.Metadata.Name)).ToList();
        return Change(await store.DeleteAsync(targets, ignoreMissing, cancellationToken));
    }

    private static async Task<IResult> DeleteOneAsync(string kind, string @namespace, string name, ConfigStore store, CancellationToken cancellationToken)
    {
        if (!ConfigKinds.TryParse(kind, out var configKind))
        {
            return UnknownKind(kind);
        }

        return Change(await store.DeleteAsync([RefOf(configKind, @namespace, name)], ignoreNotFound: false, cancellationToken));
    }

    private static IResult List(ConfigStore store, GatewayApiStatus gatewayApiStatus, string? @namespace) => ListOf(store.Current, gatewayApiStatus, null, @namespace);

    private static IResult ListKind(string kind, ConfigStore store, GatewayApiStatus gatewayApiStatus, string? @namespace) =>
        ConfigKinds.TryParse(kind, out var configKind) ? ListOf(store.Current, gatewayApiStatus, configKind, @namespace) : UnknownKind(kind);

    private static IResult Get(string kind, string @namespace, string name, string? format, HttpRequest request, ConfigStore store, GatewayApiStatus gatewayApiStatus)
    {
        if (!ConfigKinds.TryParse(kind, out var configKind))
        {
            return UnknownKind(kind);
        }

        var key = RefOf(configKind, @namespace, name).Key;
        if (!store.Current.Entries.TryGetValue(key, out var entry))
        {
            return Message(StatusCodes.Status404NotFound, $"{key} not found");
        }

        var yaml = entry.Yaml;
        var wantsYaml = string.Equals(format, "yaml", StringComparison.OrdinalIgnoreCase)
            || request.Headers.Accept.Any(a => a is not null && (a.Contains("yaml", StringComparison.OrdinalIgnoreCase)));
        if (format is not null && !wantsYaml && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            return Message(StatusCodes.Status400BadRequest, $"unknown format '{format}' (use json or yaml)");
        }

        // Gateway API objects carry the status the spec defines, as kubectl shows it from a cluster.
        if (gatewayApiStatus.Current().TryGetValue(key, out var status) && YamlToJson.Convert(yaml) is JsonObject document)
        {
            document["status"] = status.DeepClone();
            return wantsYaml ? Results.Text(JsonToYaml.Convert(document), YamlContentType) : Results.Json(document, AdminJson.Context.JsonNode);
        }

        return wantsYaml
            ? Results.Text(yaml, YamlContentType)
            : Results.Json(YamlToJson.Convert(yaml), AdminJson.Context.JsonNode);
    }

    private static IResult ListOf(ConfigStoreModel model, GatewayApiStatus gatewayApiStatus, ConfigKind? kind, string? @namespace)
    {
        var entries = model.Entries.Values
            .Where(e => kind is null || e.Object.Kind == kind.Id)
            .Where(e => string.IsNullOrEmpty(@namespace) || e.Object.Metadata.Namespace == @namespace || e.Object.Metadata.Namespace.Length == 0)
            .ToList();
        var statuses = entries.Any(e => GatewayPrinterColumns.Applies(e.Object.Kind)) ? gatewayApiStatus.Current() : null;
        var items = entries
            .Select(e => ConfigItemResponse.From(e, statuses is null ? null : GatewayPrinterColumns.For(e, statuses.GetValueOrDefault(e.Object.Key))))
            .ToList();
        return Json(new ConfigListResponse(model.Generation, items));
    }

    private static IResult Change(ConfigChangeResult result)
    {
        var status = result.Outcome switch
        {
            ConfigChangeOutcome.Accepted or ConfigChangeOutcome.Unchanged => StatusCodes.Status200OK,
            ConfigChangeOutcome.Conflict => StatusCodes.Status409Conflict,
            ConfigChangeOutcome.NotFound => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status400BadRequest,
        };
        return Results.Json(ConfigChangeResponse.From(result), AdminJson.Context.ConfigChangeResponse, statusCode: status);
    }

    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var body = await ConfigTextReader.ReadAsync(reader, cancellationToken);
        return string.IsNullOrWhiteSpace(body) ? null : body;
    }

    // A cluster-scoped kind (GatewayClass) has no namespace: whatever the path says is ignored, as kubectl does.
    private static ConfigObjectRef RefOf(ConfigKind kind, string @namespace, string name) =>
        new(kind.Id, kind.ClusterScoped ? "" : @namespace, name);

    private static IResult UnknownKind(string kind) => Message(StatusCodes.Status400BadRequest,
        $"unknown kind '{kind}' (supported: {string.Join(", ", ConfigKinds.All.Select(k => $"{k.Id} ({string.Join("/", new[] { k.Plural }.Concat(k.ShortNames))})"))})");

    private static IResult Json(ConfigListResponse response) => Results.Json(response, AdminJson.Context.ConfigListResponse);

    private static IResult Json(ConfigStatusResponse response) => Results.Json(response, AdminJson.Context.ConfigStatusResponse);

    internal static IResult Message(int status, string message) =>
        Results.Json(new MessageResponse(message), AdminJson.Context.MessageResponse, statusCode: status);
}
