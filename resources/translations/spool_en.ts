<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AddDialog</name>
    <message numerus="yes">
        <source>%n line(s) not a URL</source>
        <translation>
            <numerusform>%n line not a URL</numerusform>
            <numerusform>%n lines not a URL</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message numerus="yes">
        <source>The queue is paused: nothing new starts (%n job(s) still running).</source>
        <translation>
            <numerusform>The queue is paused: nothing new starts (%n job still running).</numerusform>
            <numerusform>The queue is paused: nothing new starts (%n jobs still running).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) old</source>
        <translation>
            <numerusform>%n day old</numerusform>
            <numerusform>%n days old</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message numerus="yes">
        <source>%n more already downloaded or queued</source>
        <translation>
            <numerusform>%n more already downloaded or queued</numerusform>
            <numerusform>%n more already downloaded or queued</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No new videos: the %n found were already downloaded or queued.</source>
        <translation>
            <numerusform>No new videos: the %n found was already downloaded or queued.</numerusform>
            <numerusform>No new videos: the %n found were already downloaded or queued.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>JobTableModel</name>
    <message numerus="yes">
        <source>%n video(s) failed or cancelled</source>
        <translation>
            <numerusform>%n video failed or cancelled</numerusform>
            <numerusform>%n videos failed or cancelled</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Added %n job(s)</source>
        <translation>
            <numerusform>Added %n job</numerusform>
            <numerusform>Added %n jobs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Remove %n job(s) from the list?</source>
        <translation>
            <numerusform>Remove %n job from the list?</numerusform>
            <numerusform>Remove %n jobs from the list?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Removed %n job(s) from the list.</source>
        <translation>
            <numerusform>Removed %n job from the list.</numerusform>
            <numerusform>Removed %n jobs from the list.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Remove “%1” and its %n video(s) from the list?</source>
        <translation>
            <numerusform>Remove “%1” and its %n video from the list?</numerusform>
            <numerusform>Remove “%1” and its %n videos from the list?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Not saving: the database refuses writes (%n result(s) waiting)</source>
        <translation>
            <numerusform>Not saving: the database refuses writes (%n result waiting)</numerusform>
            <numerusform>Not saving: the database refuses writes (%n results waiting)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Queue unreachable, reconnecting (%n result(s) waiting)</source>
        <translation>
            <numerusform>Queue unreachable, reconnecting (%n result waiting)</numerusform>
            <numerusform>Queue unreachable, reconnecting (%n results waiting)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SubscriptionsDialog</name>
    <message numerus="yes">
        <source>Checked every %n hour(s) from now on.</source>
        <translation>
            <numerusform>Checked every %n hour from now on.</numerusform>
            <numerusform>Checked every %n hours from now on.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n hour</numerusform>
            <numerusform>%n hours</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n new video(s)</source>
        <translation>
            <numerusform>%n new video</numerusform>
            <numerusform>%n new videos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minute</numerusform>
            <numerusform>%n minutes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message numerus="yes">
        <source>%n job(s) completed</source>
        <translation>
            <numerusform>%n job completed</numerusform>
            <numerusform>%n jobs completed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) failed</source>
        <translation>
            <numerusform>%n job failed</numerusform>
            <numerusform>%n jobs failed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>main</name>
    <message numerus="yes">
        <source>Spool is already running for %1; handed it %n URL(s).</source>
        <translation>
            <numerusform>Spool is already running for %1; handed it %n URL.</numerusform>
            <numerusform>Spool is already running for %1; handed it %n URLs.</numerusform>
        </translation>
    </message>
</context>
</TS>
