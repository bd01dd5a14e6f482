using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Config.Loading;
using Mesh.Config.Model;

namespace Mesh.Config.Tests.IstioApi;

/// <summary>A small valid document of each kind with one field, given by its Istio path, set to a sample value.</summary>
internal static class SampleDocuments
{
    public static string WithField(ConfigKind kind, string path, FieldShape field)
    {
        var document = new JsonObject
        {
            ["apiVersion"] = kind.PreferredApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = new JsonObject { ["name"] = "sample" },
            ["spec"] = Base(kind),
        };
        var segments = path.Split('.');
        JsonNode node = document["spec"]!;
        for (var i = 1; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            var segment = segments[i];
            var name = segment.TrimEnd('[', ']', '{', '}');
            var parent = node.AsObject();
            if (segment.EndsWith("[]", StringComparison.Ordinal))
            {
                var list = parent[name] as JsonArray ?? (JsonArray)(parent[name] = new JsonArray());
                if (list.Count == 0)
                {
                    list.Add(last ? Value(field.ValueType) : new JsonObject());
                }

                node = list[0]!;
            }
            else if (segment.EndsWith("{}", StringComparison.Ordinal))
            {
                var map = parent[name] as JsonObject ?? (JsonObject)(parent[name] = new JsonObject());
                map["k"] ??= last ? Value(field.ValueType) : new JsonObject();
                node = map["k"]!;
            }
            else
            {
                parent[name] ??= last ? Value(field.ValueType) : new JsonObject();
                node = parent[name]!;
            }
        }

        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>An Istio path with its list items and map keys made concrete: <c>spec.http[0].match[0].headers.k</c>.</summary>
    public static string Concrete(string path) =>
        path.TrimEnd('[', ']', '{', '}').Replace("[]", "[0]", StringComparison.Ordinal).Replace("{}", ".k", StringComparison.Ordinal);

    private static JsonNode Value(Type type) =>
        type == typeof(string) ? JsonValue.Create("x")
        : type == typeof(bool) ? JsonValue.Create(true)
        : type == typeof(TimeSpan) ? JsonValue.Create("1s")
        : type == typeof(double) ? JsonValue.Create(1.5)
        : type.IsEnum ? JsonValue.Create(IstioEnum.Names(type)[^1])
        : type.IsPrimitive ? JsonValue.Create(1)
        : new JsonObject();

    private static JsonObject Base(ConfigKind kind) => kind.Kind switch
    {
        "VirtualService" => Parse("""{"hosts": ["r"], "http": [{"route": [{"destination": {"host": "r"}}]}]}"""),
        "DestinationRule" => Parse("""{"host": "r"}"""),
        "Gateway" => Parse("""{"servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]}"""),
        "ServiceEntry" => Parse("""{"hosts": ["a.example.com"], "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}], "resolution": "DNS"}"""),
        "Sidecar" => Parse("""{"egress": [{"hosts": ["./*"]}]}"""),
        _ => [],
    };

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
