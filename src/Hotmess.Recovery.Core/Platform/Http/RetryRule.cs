namespace Hotmess.Recovery.Platform.Http;

/// <summary>When a request may be sent again. Each client names the rule of each request; see <see cref="HttpResilience"/>.</summary>
public enum RetryRule
{
    /// <summary>
    /// Sending it twice does what sending it once does: GET, HEAD, PUT, DELETE, a read sent as POST (Storage's
    /// listing), a POST carrying an <c>Idempotency-Key</c> (Stripe, Resend), an upsert, or a create whose repeat is
    /// recognised (Storage upload with <c>x-upsert: false</c> answers "already exists"). Retried on 408, 429, 500,
    /// 502, 503, 504, on connection errors and on timeouts.
    /// </summary>
    Idempotent,

    /// <summary>
    /// A POST that may have taken effect once the server has it (Slack webhook, Vercel rollback, promote and
    /// redeploy). Retried only when the server cannot have acted: a 429, which says the request was not accepted,
    /// or a connection that failed before the request was sent.
    /// </summary>
    OnlyWhenNotAccepted,
}
