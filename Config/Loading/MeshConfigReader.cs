using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.MeshConfiguration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Config.Loading;

/// <summary>
/// Reads the <c>data</c> of Istio's mesh config ConfigMap: <c>data.mesh</c> is YAML inside a string,
/// parsed here with the same limits as a document and bound with field paths under
/// <c>data.mesh</c> and the lines of the enclosing file. <c>extensionProviders</c> and
/// <c>outboundTrafficPolicy</c> are read; <c>data.meshNetworks</c> (Istio's MeshNetworks, also YAML
/// in a string) is read whole;
/// every other MeshConfig field and provider kind is refused by name (<see cref="MeshConfigFields"/>).
/// </summary>
internal static class MeshConfigReader
{
    private const string DataPath = "data";
    private const string MeshPath = "data.mesh";
    private const string NetworksPath = "data.meshNetworks";

    /// <param name="lineOffset">Added to <paramref name="data"/>'s node lines to give origin lines.</param>
    public static IstioMeshConfigMap Read(YamlNode data, SpecBinder binder, int lineOffset)
    {
        if (data is not YamlMappingNode mapping)
        {
            binder.Fail(DataPath, $"expected a mapping of strings, got {SpecBinder.Describe(data)}", data);
            return new IstioMeshConfigMap();
        }

        var result = new IstioMeshConfigMap();
        (MeshNetworks? Networks, string? Text) networks = (null, null);
        foreach (var (keyNode, value) in mapping.Children)
        {
            switch ((keyNode as YamlScalarNode)?.Value)
            {
                case "mesh":
                    result = ReadMesh(value, binder, lineOffset);
                    break;
                case "meshNetworks":
                    networks = ReadNetworks(value, binder, lineOffset);
                    break;
                default:
                    binder.Unknown(DataPath, keyNode, value);
                    break;
            }
        }

        return networks.Text is null ? result : result with { MeshNetworks = networks.Networks, MeshNetworksText = networks.Text };
    }

    // data.meshNetworks: Istio's MeshNetworks as YAML in a string, like data.mesh.
    private static (MeshNetworks? Networks, string? Text) ReadNetworks(YamlNode value, SpecBinder binder, int lineOffset)
    {
        if (value is not YamlScalarNode { Value: { } text } scalar)
        {
            binder.Fail(NetworksPath, $"expected the mesh networks as a string (meshNetworks: |-), got {SpecBinder.Describe(value)}", value);
            return (null, null);
        }

        var firstLine = scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded ? (int)scalar.Start.Line + 1 : (int)scalar.Start.Line;
        var nestedOffset = lineOffset + firstLine - 1;
        var root = Parse(text, binder, nestedOffset, scalar, NetworksPath);
        if (root is null)
        {
            return (new MeshNetworks(), text);
        }

        var nested = binder.Nested(nestedOffset);
        var networks = nested.Bind(typeof(MeshNetworks), root, NetworksPath) as MeshNetworks ?? new MeshNetworks();
        binder.Adopt(nested);
        return (networks, text);
    }

    private static IstioMeshConfigMap ReadMesh(YamlNode value, SpecBinder binder, int lineOffset)
    {
        if (value is not YamlScalarNode { Value: { } text } scalar)
        {
            binder.Fail(MeshPath, $"expected the mesh config as a string (mesh: |-), got {SpecBinder.Describe(value)}", value);
            return new IstioMeshConfigMap();
        }

        // A block scalar's text starts on the line after its indicator (|, |-, >); any other
        // scalar's on its own line.
        var firstLine = scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded ? (int)scalar.Start.Line + 1 : (int)scalar.Start.Line;
        var nestedOffset = lineOffset + firstLine - 1;
        var root = Parse(text, binder, nestedOffset, scalar, MeshPath);
        var mesh = root is null ? new MeshConfig() : BindMesh(root, binder, nestedOffset);
        return new IstioMeshConfigMap { Mesh = mesh, MeshText = text };
    }

    private static YamlNode? Parse(string text, SpecBinder binder, int nestedOffset, YamlNode at, string path)
    {
        var scanner = new Scanner(new StringReader(text));
        var stream = new YamlStream();
        try
        {
            stream.Load(new GuardedParser(new Parser(scanner)));
        }
        catch (YamlException ex)
        {
            binder.Fail(path, $"YAML syntax error at line {ex.Start.Line + nestedOffset}: {ex.InnerException?.Message ?? ex.Message}", null, (int)ex.Start.Line + nestedOffset);
            return null;
        }
        catch (ParserLimitException ex)
        {
            binder.Fail(path, ex.Message, null, (int)ex.Start.Line + nestedOffset);
            return null;
        }
        catch (Exception)
        {
            // As ConfigParser: YamlDotNet's scanner throws other exceptions on some malformed input.
            binder.Fail(path, "the mesh config's YAML cannot be parsed here (look for an unclosed '[' or '{')", null, (int)scanner.CurrentPosition.Line + nestedOffset);
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            binder.Fail(path, "the mesh config must be one YAML document", at);
            return null;
        }

        return stream.Documents.Count == 0 || SpecBinder.IsNull(stream.Documents[0].RootNode) ? null : stream.Documents[0].RootNode;
    }

    private static MeshConfig BindMesh(YamlNode root, SpecBinder outer, int nestedOffset)
    {
        if (root is not YamlMappingNode mapping)
        {
            outer.Fail(MeshPath, $"expected a mapping, got {SpecBinder.Describe(root)}", null, (int)root.Start.Line + nestedOffset);
            return new MeshConfig();
        }

        var binder = outer.Nested(nestedOffset);
        var providers = new List<MeshExtensionProvider>();
        MeshOutboundTrafficPolicy? outboundTrafficPolicy = null;
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            var path = FieldPath.Field(MeshPath, key ?? "");
            if (key == "extensionProviders")
            {
                if (value is YamlSequenceNode list)
                {
                    for (var i = 0; i < list.Children.Count; i++)
                    {
                        providers.Add(BindProvider(list.Children[i], binder, FieldPath.Index(path, i)));
                    }
                }
                else if (!SpecBinder.IsNull(value))
                {
                    binder.Fail(path, $"expected a list, got {SpecBinder.Describe(value)}", value);
                }
            }
            else if (key == "outboundTrafficPolicy")
            {
                outboundTrafficPolicy = binder.Bind(typeof(MeshOutboundTrafficPolicy), value, path) as MeshOutboundTrafficPolicy;
            }
            else if (key is not null && MeshConfigFields.Unsupported.TryGetValue(key, out var reason))
            {
                binder.Fail(path, $"{key} is not supported: {reason}", keyNode);
            }
            else
            {
                binder.Unknown(MeshPath, keyNode, value);
            }
        }

        outer.Adopt(binder);
        return new MeshConfig { ExtensionProviders = new ValueList<MeshExtensionProvider>(providers), OutboundTrafficPolicy = outboundTrafficPolicy };
    }

    private static MeshExtensionProvider BindProvider(YamlNode node, SpecBinder binder, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            binder.Fail(path, $"expected a mapping, got {SpecBinder.Describe(node)}", node);
            return new MeshExtensionProvider();
        }

        string? name = null;
        ExtAuthzHttpProvider? http = null;
        ExtAuthzGrpcProvider? grpc = null;
        var kinds = new List<string>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            var fieldPath = FieldPath.Field(path, key ?? "");
            switch (key)
            {
                case "name":
                    name = binder.Bind(typeof(string), value, fieldPath) as string;
                    break;
                case "envoyExtAuthzHttp":
                    kinds.Add(key);
                    http = binder.Bind(typeof(ExtAuthzHttpProvider), value, fieldPath) as ExtAuthzHttpProvider ?? new ExtAuthzHttpProvider();
                    break;
                case "envoyExtAuthzGrpc":
                    kinds.Add(key);
                    grpc = binder.Bind(typeof(ExtAuthzGrpcProvider), value, fieldPath) as ExtAuthzGrpcProvider ?? new ExtAuthzGrpcProvider();
                    break;
                case not null when MeshConfigFields.UnsupportedProviders.Contains(key):
                    kinds.Add(key);
                    binder.Fail(fieldPath, $"{key} is not supported: Mesh implements the external authorization providers (envoyExtAuthzHttp, envoyExtAuthzGrpc); its tracing, metrics and access logs are configured with the Telemetry resource and OTLP export", keyNode);
                    break;
                default:
                    binder.Unknown(path, keyNode, value);
                    break;
            }
        }

        return new MeshExtensionProvider { Name = name, EnvoyExtAuthzHttp = http, EnvoyExtAuthzGrpc = grpc, Kinds = new ValueList<string>(kinds) };
    }
}
