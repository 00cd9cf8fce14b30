namespace Hotmess.Recovery.Retention;

public enum RetentionAction
{
    Keep,
    Remove,
}
