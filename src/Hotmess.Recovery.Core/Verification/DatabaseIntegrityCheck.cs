namespace Hotmess.Recovery.Verification;

/// <summary>
/// One integrity check of a restored database: <see cref="Check"/> is RowCount, Fingerprint or RecentTransactions;
/// <see cref="Expected"/> and <see cref="Actual"/> are as the check reads them, <see cref="Detail"/> says it in a sentence.
/// </summary>
public sealed record DatabaseIntegrityCheck(string Check, string Table, string Expected, string Actual, bool Passed, string Detail);
