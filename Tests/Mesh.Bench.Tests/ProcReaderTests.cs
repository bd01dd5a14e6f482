using Mesh.Bench.Tool.ControlPlaneSim;
using Mesh.Bench.Tool.Measurement;

namespace Mesh.Bench.Tests;

public sealed class ProcReaderTests
{
    [Theory]
    [InlineData("VmRSS:\t  123456 kB", 123456L)]
    // 8 digits fill the kernel's padding: no space between the tab and the number (a 9.5 GB RSS).
    [InlineData("VmRSS:\t10000000 kB", 10000000L)]
    [InlineData("VmHWM:\t123456789 kB", 123456789L)]
    [InlineData("Pss:                5432 kB", 5432L)]
    [InlineData("MemTotal:       24573120 kB", 24573120L)]
    public void Reads_the_number_of_a_proc_memory_line_however_it_is_padded(string line, long expected) =>
        Assert.Equal(expected, ProcReader.KiloBytes(line));

    [Theory]
    [InlineData("VmRSS:")]
    [InlineData("VmRSS:\tkB")]
    [InlineData("no colon 123 kB")]
    [InlineData("VmRSS:\t-5 kB")]
    public void Answers_null_for_a_line_that_does_not_read_as_a_number(string line) =>
        Assert.Null(ProcReader.KiloBytes(line));

    [Fact]
    public void Reads_this_process_memory_and_cpu()
    {
        var memory = ProcReader.Memory(Environment.ProcessId);
        Assert.NotNull(memory);
        Assert.True(memory.Value.Rss > 0 && memory.Value.PeakRss >= memory.Value.Rss);
        Assert.True(ProcReader.CpuSeconds(Environment.ProcessId) > 0);
    }

    [Fact]
    public void A_probe_of_a_process_that_is_gone_reports_the_failure_instead_of_throwing()
    {
        var probe = new ControlPlaneProbe(int.MaxValue);

        Assert.True(double.IsNaN(probe.Cpu("storm settled")));
        Assert.Null(probe.Memory("storm settled"));
        Assert.Collection(
            probe.Failures,
            f => Assert.StartsWith("CPU time at 'storm settled'", f, StringComparison.Ordinal),
            f => Assert.StartsWith("memory at 'storm settled'", f, StringComparison.Ordinal));
    }
}
