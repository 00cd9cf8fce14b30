namespace Hotmess.Recovery.Fakes;

/// <summary>Endpoints of the fake itself (not of any vendor): health, and later fault injection.</summary>
public static class FaultControl
{
    public static void MapFaultControl(this WebApplication app, FakeOptions options)
    {
        app.MapGet("/__fake/health", () => Results.Text("ok"));
    }
}
