// Parse an iCalendar text from stdin with Mozilla's ical.js (the parser Thunderbird uses) and
// print what the tests compare as JSON: METHOD, and per VEVENT its UID, SEQUENCE, STATUS,
// DTSTART as a UTC instant (null when floating), ATTENDEEs with PARTSTAT and RSVP, and whether
// any DTSTART/DTEND/DTSTAMP is floating (no UTC and no known zone: a TZID without VTIMEZONE).
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const calendar = new ICAL.Component(ICAL.parse(text));

function isFloating(time) {
  return !time.isDate && (!time.zone || time.zone === ICAL.Timezone.localTimezone);
}

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const times = ["dtstart", "dtend", "dtstamp"]
    .map((name) => vevent.getFirstPropertyValue(name))
    .filter(Boolean);
  const start = vevent.getFirstPropertyValue("dtstart");
  return {
    uid: vevent.getFirstPropertyValue("uid"),
    sequence: vevent.getFirstPropertyValue("sequence"),
    status: vevent.getFirstPropertyValue("status"),
    dtstart_utc: start && !isFloating(start) ? new Date(start.toUnixTime() * 1000).toISOString() : null,
    floating: times.some(isFloating),
    attendees: vevent.getAllProperties("attendee").map((property) => ({
      address: property.getFirstValue(),
      partstat: property.getParameter("partstat") ?? null,
      rsvp: property.getParameter("rsvp") ?? null,
    })),
  };
});

process.stdout.write(
  JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events }) + "\n",
);
