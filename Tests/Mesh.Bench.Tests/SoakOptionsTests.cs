using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Soak;

namespace Mesh.Bench.Tests;

public sealed class SoakOptionsTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("45", 45)]
    public void Reads_a_soak_duration(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), SoakOptions.ParseDuration(text, "duration"));

    [Theory]
    [InlineData("2x")]
    [InlineData("m")]
    [InlineData("1h30")]
    [InlineData("")]
    public void Refuses_what_is_not_a_duration_naming_the_option(string text)
    {
        var error = Assert.Throws<UsageException>(() => SoakOptions.ParseDuration(text, "duration"));
        Assert.Contains("--duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_to_an_hour_at_20_pages_per_second_with_a_change_every_30_seconds()
    {
        var options = SoakOptions.From(Arguments.Parse(["--repo", "/tmp"]));
        Assert.Equal(TimeSpan.FromHours(1), options.Duration);
        Assert.Equal(20, options.Rate);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ChangeEvery);
    }
}
