namespace Mesh.Testing.Config;

/// <summary>Istio ServiceEntry YAML for tests that need a large mesh without workloads.</summary>
public static class ServiceEntryYaml
{
    /// <summary>
    /// <paramref name="count"/> static MESH_EXTERNAL ServiceEntries <c>external-i</c>, hosts
    /// <c>external-i.example.com</c> (TLS 443), each with one endpoint, in <paramref name="namespace"/>.
    /// </summary>
    public static string Many(int count, string @namespace = "default") =>
        string.Join("---\n", Enumerable.Range(0, count).Select(i => $$"""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: external-{{i}}
              namespace: {{@namespace}}
            spec:
              hosts: [external-{{i}}.example.com]
              location: MESH_EXTERNAL
              resolution: STATIC
              ports:
              - {number: 443, name: tls, protocol: TLS}
              endpoints:
              - address: 192.0.2.{{i % 250 + 1}}

            """));
}
