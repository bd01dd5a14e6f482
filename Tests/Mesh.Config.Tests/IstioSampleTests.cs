using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests;

/// <summary>Istio's Bookinfo task configs (samples/bookinfo/networking) parse, validate and round-trip unchanged.</summary>
public sealed class IstioSampleTests
{
    public static TheoryData<string> SampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in RepositoryFiles.Samples())
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Sample_parses_and_validates_without_errors(string file)
    {
        var result = ConfigParser.Parse(RepositoryFiles.ReadSample(file), file);

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.NotEmpty(result.Objects);
        Assert.Empty(ConfigValidator.Validate(result.Objects).Select(e => e.ToString()));
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Sample_round_trips_through_the_serializer(string file)
    {
        var parsed = ConfigParser.Parse(RepositoryFiles.ReadSample(file), file).Objects;

        var reparsed = ConfigParser.Parse(ConfigSerializer.ToYaml(parsed), "serialized").Objects;

        Assert.Equal(parsed.Count, reparsed.Count);
        for (var i = 0; i < parsed.Count; i++)
        {
            Assert.Equal(parsed[i].Kind, reparsed[i].Kind);
            Assert.Equal(parsed[i].Metadata, reparsed[i].Metadata);
            Assert.Equal(parsed[i].Spec, reparsed[i].Spec);
        }
    }

    [Fact]
    public void Every_sample_file_of_the_task_list_is_present()
    {
        string[] expected =
        [
            "bookinfo-gateway.yaml", "destination-rule-all.yaml", "destination-rule-all-mtls.yaml",
            "virtual-service-all-v1.yaml", "virtual-service-reviews-test-v2.yaml", "virtual-service-reviews-50-v3.yaml",
            "virtual-service-reviews-v3.yaml", "virtual-service-ratings-test-delay.yaml", "virtual-service-ratings-test-abort.yaml",
        ];
        var present = RepositoryFiles.Samples().Select(Path.GetFileName).ToHashSet();

        Assert.All(expected, name => Assert.Contains(name, present));
    }
}
