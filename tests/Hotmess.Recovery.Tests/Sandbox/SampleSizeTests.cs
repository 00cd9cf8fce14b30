using Hotmess.Recovery.Sandbox;

namespace Hotmess.Recovery.Tests.Sandbox;

public sealed class SampleSizeTests
{
    [Fact]
    public void PresetsGrowFromSmallToDemo()
    {
        Assert.InRange(SampleSize.Small.TotalRows, 300, 5_000);
        Assert.InRange(SampleSize.Demo.TotalRows, 20_000, 99_999);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(500)]
    [InlineData(2000)]
    public void FromMegabytesAimsAtTheRequestedSize(int megabytes)
    {
        var size = SampleSize.FromMegabytes(megabytes);

        Assert.InRange(size.EstimatedMegabytes, megabytes * 0.9, megabytes * 1.1);
        Assert.True(size.Messages + size.AnalyticsEvents > size.TotalRows / 2, "message and analytics_event carry the bulk");
    }

    [Fact]
    public void RowCountsDeriveFromTheScale()
    {
        var size = new SampleSize(100, bulkRowsPerUser: 3);

        Assert.Equal(100, size.RowCounts["public.User"]);
        Assert.Equal(300, size.RowCounts["public.message"]);
        Assert.Equal(50, size.RowCounts["public.Beacon"]);
        Assert.Equal(size.RowCounts.Values.Sum(), size.TotalRows);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleSize(1));
    }
}
