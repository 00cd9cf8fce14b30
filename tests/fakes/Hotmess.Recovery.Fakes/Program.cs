// Local stand-ins of the SaaS services HotmessRecovery talks to, following ../../../shared/api-contracts.md.
// Usage: dotnet run --project tests/fakes/Hotmess.Recovery.Fakes -- --urls http://127.0.0.1:0 --data-dir <dir> --service-key <key>
// Prints "Now listening on: <url>" once it accepts requests.
using Hotmess.Recovery.Fakes;
using Hotmess.Recovery.Fakes.Storage;
using Hotmess.Recovery.Fakes.Vercel;
using Hotmess.Recovery.Fakes.Stripe;
using Hotmess.Recovery.Fakes.Resend;
using Hotmess.Recovery.Fakes.SupabaseManagement;
using Hotmess.Recovery.Fakes.Slack;
using Hotmess.Recovery.Fakes.StatusPage;
using Hotmess.Recovery.Fakes.Site;
using Hotmess.Recovery.Fakes.SupabaseMetrics;
using Hotmess.Recovery.Fakes.PagerDuty;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

var options = FakeOptions.From(builder.Configuration);
builder.Services.AddSingleton(options);

var app = builder.Build();
app.MapFaultControl(options);
app.MapVercel(options);
app.MapStorage(options);
app.MapStripe(options);
app.MapResend(options);
app.MapSupabaseManagement(options);
app.MapSupabaseBackups(options);
app.MapSupabaseProjects(options);
app.MapSupabaseLogs(options);
app.MapSlack(options);
app.MapStatusPage(options);
app.MapSite(options);
app.MapSupabaseMetrics(options);
app.MapPagerDuty(options);
app.MapStatusPageIncidents(options);
app.Run();
