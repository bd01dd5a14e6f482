using k8s.Models;
using Mesh.Config.Model;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// The mesh's CustomResourceDefinitions: one per Istio kind Mesh understands, in Istio's own API
/// groups and versions (so Istio YAML applies unchanged), with schemas generated from the
/// Mesh.Config records. Every served version has the same schema, so no conversion is needed.
/// </summary>
internal static class CrdManifests
{
    public static IEnumerable<V1CustomResourceDefinition> All() => ConfigKinds.Istio.Select(For);

    public static V1CustomResourceDefinition For(ConfigKind kind)
    {
        var schema = CrdSchemaGenerator.ForResource(kind.SpecType);
        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta
            {
                Name = $"{kind.Plural}.{kind.Group}",
                Labels = KubernetesLabels.PartOfMesh("crds"),
            },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = kind.Group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames
                {
                    Kind = kind.Kind,
                    ListKind = kind.Kind + "List",
                    Plural = kind.Plural,
                    Singular = kind.Kind.ToLowerInvariant(),
                    ShortNames = kind.ShortNames.Count == 0 ? null : [.. kind.ShortNames],
                    Categories = ["istio-io", kind.Group.Split('.')[0] + "-istio-io"],
                },
                Versions = [.. kind.Versions.Select((version, index) => new V1CustomResourceDefinitionVersion
                {
                    Name = version,
                    Served = true,
                    // The preferred (first) version is stored; the others convert trivially (same schema).
                    Storage = index == 0,
                    Schema = new V1CustomResourceValidation { OpenAPIV3Schema = schema },
                    Subresources = new V1CustomResourceSubresources { Status = new object() },
                    AdditionalPrinterColumns =
                    [
                        new V1CustomResourceColumnDefinition { Name = "Age", Type = "date", JsonPath = ".metadata.creationTimestamp" },
                    ],
                })],
            },
        };
    }
}
