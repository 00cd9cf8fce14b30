using System.Net.Http.Headers;
using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Monitoring;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.Supabase;

/// <summary>
/// Scrapes a Supabase project's metrics endpoint, <c>{project}/customer/v1/privileged/metrics</c>: Prometheus text,
/// HTTP Basic auth as <c>service_role</c> with the service-role (secret) key. A 401/403 is
/// <c>SupabaseMetricsKeyInvalid</c>; anything else that is not 2xx is <c>SupabaseMetricsFailed</c>.
/// </summary>
public sealed class SupabaseMetricsClient
{
    public const string MetricsPath = "customer/v1/privileged/metrics";

    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly Secret _serviceRoleKey;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    /// <param name="projectUrl">The project's URL, e.g. <c>https://abcdefghijklmnopqrst.supabase.co</c>.</param>
    public SupabaseMetricsClient(HttpClient http, Uri projectUrl, Secret serviceRoleKey, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
    {
        _http = http;
        _url = new Uri(PlatformHttp.AsBase(projectUrl, "The Supabase URL (storage.supabaseUrl or VITE_SUPABASE_URL)"), MetricsPath);
        _serviceRoleKey = serviceRoleKey;
        _log = log ?? NullOperationLog.Instance;
        _resilience = new HttpResilience("Supabase's metrics endpoint", resilience ?? new HttpResilienceOptions(), _log);
    }

    public Uri Url => _url;

    public async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(CancellationToken cancellationToken)
    {
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes("service_role:" + _serviceRoleKey.Reveal()));
        try
        {
            using var response = await _resilience.SendAsync(_http, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, _url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                return request;
            }, RetryRule.Idempotent, "serve the project's metrics", cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            _log.Verbose($"Supabase metrics GET {_url} -> {status}");
            if (status is 401 or 403)
            {
                throw new HotmessException("SupabaseMetricsKeyInvalid", FailureKind.AuthenticationFailed,
                    $"Supabase's metrics endpoint '{_url}' refused the service-role key {_serviceRoleKey.Masked} ({status}).", _url.ToString());
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new HotmessException("SupabaseMetricsFailed", FailureKind.RemoteServiceFailed,
                    $"Supabase's metrics endpoint '{_url}' answered {status}.", _url.ToString());
            }

            return PrometheusText.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("SupabaseMetricsUnreachable", FailureKind.ConnectionFailed,
                $"Supabase's metrics endpoint '{_url}' cannot be reached: {ex.Message}", _url.ToString(), ex);
        }
        catch (HttpTimeoutException ex)
        {
            throw new HotmessException("SupabaseMetricsTimeout", FailureKind.Timeout,
                $"Supabase's metrics endpoint '{_url}' did not answer: {ex.Message}", _url.ToString(), ex);
        }
    }
}
